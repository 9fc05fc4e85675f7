// libFuzzer target: an SGX quote v3 and the SGX extension of the PCK certificate it carries are
// untrusted input. Parsing must never crash, hang or read out of bounds, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/pck_extension.h"
#include "attest/sgx_quote.h"
#include "crypto/x509_certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  auto quote = s3ml::attest::ParseSgxQuote(input);
  if (quote.ok()) {
    auto chain = s3ml::crypto::ParsePemCertificateChain(quote->pck_chain_pem, 4);
    if (chain.ok()) {
      auto extension = s3ml::attest::SgxPckExtensionOf(chain->front());
      (void)extension;
    }
  }
  // The extension parser also gets the raw bytes, as if they were the extension's DER value.
  auto direct = s3ml::attest::ParseSgxPckExtension(input);
  (void)direct;
  return 0;
}
