target "a" { shm-size = "64" }
target "b" { shm-size = "128m" }
target "c" { shm-size = "1.5GiB" }
target "d" { shm-size = "512 kb" }
