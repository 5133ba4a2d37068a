// bcrypt and rsadecrypt can't be checked against fixed outputs (bcrypt
// salts are random), so these tests verify round trips with independent
// tools: libcrypt verifies the hash, OpenSSL encrypts what we decrypt.

#include <catch2/catch.hpp>

#include <crypt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <regex>

#include "hcl_test_util.hpp"

using namespace xbuild::bakefile::hcl;
using namespace xbuild::bakefile::hcl::test;

TEST_CASE("bcrypt produces a $2a$ hash that verifies the password", "[bakefile][hcl][functions]") {
  std::string hash = eval_str("bcrypt(\"hello world\")");
  // Go's x/crypto/bcrypt format with the default cost of 10.
  CHECK(std::regex_match(hash, std::regex(R"(^\$2a\$10\$[./A-Za-z0-9]{53}$)")));
  CHECK(std::string(crypt("hello world", hash.c_str())) == hash);
  CHECK(std::string(crypt("hello worle", hash.c_str())) != hash);
  CHECK(eval_str("bcrypt(\"x\", 5)").rfind("$2a$05$", 0) == 0);
  CHECK(eval_error("bcrypt(\"x\", 3)").find("outside allowed range") != std::string::npos);
}

TEST_CASE("rsadecrypt reverses PKCS #1 v1.5 encryption", "[bakefile][hcl][functions]") {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  REQUIRE(key != nullptr);
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* pem_data = nullptr;
  long pem_len = BIO_get_mem_data(bio, &pem_data);
  std::string pem(pem_data, static_cast<size_t>(pem_len));
  BIO_free(bio);

  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  REQUIRE(EVP_PKEY_encrypt_init(ctx) == 1);
  REQUIRE(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1);
  std::string plain = "secret message";
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(plain.data());
  REQUIRE(EVP_PKEY_encrypt(ctx, nullptr, &len, in, plain.size()) == 1);
  std::string cipher(len, '\0');
  REQUIRE(EVP_PKEY_encrypt(ctx, reinterpret_cast<unsigned char*>(cipher.data()), &len, in,
                           plain.size()) == 1);
  cipher.resize(len);
  EVP_PKEY_CTX_free(ctx);
  EVP_PKEY_free(key);
  std::string b64(4 * ((cipher.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                          reinterpret_cast<const unsigned char*>(cipher.data()),
                          static_cast<int>(cipher.size()));
  b64.resize(static_cast<size_t>(n));

  Scope vars;
  vars.set("ct", Value::string(b64));
  vars.set("key", Value::string(pem));
  CHECK(eval_str("rsadecrypt(ct, key)", &vars) == "secret message");
  CHECK(eval_error("rsadecrypt(ct, \"not a key\")", &vars).find("invalid private key") !=
        std::string::npos);
  CHECK(eval_error("rsadecrypt(\"@@@\", key)", &vars).find("base64") != std::string::npos);
}
