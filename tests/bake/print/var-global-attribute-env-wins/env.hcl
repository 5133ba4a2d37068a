FOO = "from-attribute"
