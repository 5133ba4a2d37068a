target "f" {
  args = {
    v4      = "${length(uuidv4())}:${substr(uuidv4(), 14, 1)}"
    v5      = uuidv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "example.com")
    v5dns   = uuidv5("dns", "example.com")
    v5url   = uuidv5("url", "https://example.com")
    rsa     = rsadecrypt("ASkMyzc+Iy2cogew+KFZS6aSZdkubqvIKOgn0cd20kmiltjgjbKvIegLV+yYbL+mLUqvwqObcG+DpMosdK7riZtxKjcZgblCNKqxPmnenItyDM70ZB9teuknyS4pmpMQlJd5QCi4zRmFeEEscIhHpgQg03rL2oI99kN9madw8p4=", <<EOT
-----BEGIN RSA PRIVATE KEY-----
MIICXQIBAAKBgQCyO0T7hL1wGSESN9f2j/413ysvP/aJYvKwK6wkZy5GuHqc7l/q
bDUbTNKPFvCc+ad+9z6slNGbjTwo+XHQgzHPoFBsWskJR8K4mQqGVhfNXLtI3EFa
oAESkrV1WmKQI7zSymv9ZBroDkIuDtNx5TlVR0DT7yHsJ3cbRI3tajJPYQIDAQAB
AoGAdb+kbkqe4M0pRSDxo6oztyGOJTQry048qVjg7FfigcRk9QKjCXudhkC1puTv
57UkDESJ+niDFjIzuZo6sBfMspWGnmDODsNR74uR+RKYYvoo4LXW3xoZk1nLWOFj
BO9JDGUg5bfg6cPLDcaQadSU6kUYX5jmlqLFp6i6EPv0SQECQQDcPtWP5wZY0bTi
x3hOMbfu4sPVwb2Qxue4YrAMMqkS84fJh4auUN7/qAboh35cowN9zHX53w0te8MJ
VOix8hQxAkEAzyphn5sIW+PFXbF7SAxdXvhs0JPdXBZwxIl4d1h9tM2lhm2LIjw8
AhGDnqpQmsaoAVA/m1ctgxgtl8x4RUESMQJBALKYBSdOiBgH3O00ILsPl/4PRgwU
sXovwIEFDYqmnfFvJwHlcvHxRBL9lrSCApZt3Yvp+xSmqZHjVNFBV/vLuFECQQCG
jMstA18xd0Tnrm8Yg1ddaFIcQf0iYzzImVSRhvrWJD6eiaU1DhQXb9KhiZKig+X4
PGujc8KOg3SRQ+7VZAbxAkAh8lPtLutxtnQQiqEhfR1c54yFAZa4QNdEm8920cp8
y7d9wlstwWWEspfJfXienB1EGewkDuWXRFKqfie+r6Tt
-----END RSA PRIVATE KEY-----
EOT
    )
  }
}
