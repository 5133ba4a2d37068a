target "app" {
  secret = [
    "id=aws,src=/root/.aws/credentials",
    "type=env,id=token,src=GITHUB_TOKEN",
    "id=npm,source=.npmrc",
    { id = "obj", env = "OBJ_ENV" },
  ]
}
