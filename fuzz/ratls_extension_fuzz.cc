// libFuzzer target: ParseRaTlsCertificate on arbitrary bytes (untrusted peer certificates). It must
// return a value or an error, never crash, hang or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <span>

#include "attest/ratls_certificate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = s3ml::attest::ParseRaTlsCertificate(std::span<const uint8_t>(data, size));
  if (parsed.ok() && parsed->quote_bytes.empty()) __builtin_trap();  // a parsed quote is never empty
  return 0;
}
