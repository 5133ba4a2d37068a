// bcrypt and rsadecrypt from go-cty-funcs' crypto package. bcrypt uses
// libxcrypt (Debian's libcrypt), whose "$2a$" hashes are what Go's
// x/crypto/bcrypt produces; rsadecrypt uses OpenSSL with PKCS #1 v1.5
// padding, as Go's rsa.DecryptPKCS1v15.

#include <crypt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

Result<std::string> bcrypt_hash(const std::string& password, int64_t cost) {
  if (cost < 4 || cost > 31)
    return fail("crypto/bcrypt: cost " + std::to_string(cost) +
                " is outside allowed range (4,31)");
  if (password.size() > 72)
    return fail("error occured generating password bcrypt: password length exceeds 72 bytes");
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn("$2a$", static_cast<unsigned long>(cost), nullptr, 0, salt, sizeof salt) ==
      nullptr)
    return fail("error occured generating password bcrypt: no salt");
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_rn(password.c_str(), salt, data.get(), sizeof *data);
  if (hash == nullptr || hash[0] == '*')
    return fail("error occured generating password bcrypt");
  return std::string(hash);
}

Result<std::string> base64_decode_openssl(const std::string& in) {
  std::string out((in.size() / 4 + 1) * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0 || in.size() % 4 != 0)
    return fail("failed to decode input \"cipher_text\": cipher text must be base64-encoded");
  size_t pad = in.size() >= 2 && in[in.size() - 1] == '=' ? (in[in.size() - 2] == '=' ? 2 : 1) : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

Result<std::string> rsa_decrypt(const std::string& cipher_b64, const std::string& pem) {
  std::string cipher = TRY(base64_decode_openssl(cipher_b64));
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                                                BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key)
    return fail("invalid private key: failed to parse key");
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key.get(), nullptr),
                                                                  EVP_PKEY_CTX_free);
  size_t len = 0;
  auto in = reinterpret_cast<const unsigned char*>(cipher.data());
  if (!ctx || EVP_PKEY_decrypt_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0 ||
      EVP_PKEY_decrypt(ctx.get(), nullptr, &len, in, cipher.size()) <= 0)
    return fail("failed to decrypt: crypto/rsa: decryption error");
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, in,
                       cipher.size()) <= 0)
    return fail("failed to decrypt: crypto/rsa: decryption error");
  out.resize(len);
  return out;
}

} // namespace

void add_crypto_functions(FunctionTable& t) {
  args::add(t, "bcrypt", 1, 2, [](const Args& a) -> Result<Value> {
    int64_t cost = a.size() > 1 ? TRY(args::integer(a, 1, "cost")) : 10; // Go's DefaultCost
    return Value::string(TRY(bcrypt_hash(TRY(args::str(a, 0, "str")), cost)));
  });
  args::add(t, "rsadecrypt", 2, 2, [](const Args& a) -> Result<Value> {
    return Value::string(TRY(rsa_decrypt(TRY(args::str(a, 0, "ciphertext")), TRY(args::str(a, 1, "privatekey")))));
  });
}

} // namespace xbuild::bakefile::hcl
