WHOAMI="myuser"
FOO="def-${WHOAMI}"
