#include "attest/ratls_certificate.h"

#include <algorithm>
#include <utility>

#include "crypto/digest.h"
#include "crypto/x509_builder.h"

namespace s3ml::attest {

std::array<uint8_t, tee::kReportDataSize> RaTlsReportData(std::span<const uint8_t> spki_der,
                                                          const std::array<uint8_t, 32>& binding) {
  std::array<uint8_t, tee::kReportDataSize> report_data{};
  const crypto::Sha256Digest key_hash = crypto::Sha256(spki_der);
  std::copy(key_hash.begin(), key_hash.end(), report_data.begin());
  std::copy(binding.begin(), binding.end(), report_data.begin() + 32);
  return report_data;
}

Result<RaTlsCredentials> CreateRaTlsCertificate(tee::Platform& platform, const RaTlsCertificateOptions& options,
                                                const Clock& clock) {
  if (options.common_name.empty()) return InvalidArgument("RA-TLS options: common_name is empty");
  if (options.lifetime_seconds <= 0) {
    return InvalidArgument("RA-TLS options: lifetime_seconds " + std::to_string(options.lifetime_seconds) +
                           " is not positive");
  }
  if (options.backdate_seconds < 0) {
    return InvalidArgument("RA-TLS options: backdate_seconds " + std::to_string(options.backdate_seconds) +
                           " is negative");
  }
  S3ML_ASSIGN_OR_RETURN(crypto::EcKey key, crypto::EcKey::Generate(options.curve));
  S3ML_ASSIGN_OR_RETURN(std::vector<uint8_t> spki, key.PublicKeyDer());
  const auto report_data = RaTlsReportData(spki, options.report_data_binding.value_or(std::array<uint8_t, 32>{}));
  auto quote = platform.GetQuote(report_data);
  if (!quote.ok()) return quote.status().WithContext("RA-TLS quote");

  const int64_t now = clock.NowUnixSeconds();
  crypto::X509Builder builder;
  builder.SetSubject({{"CN", options.common_name}})
      .SetValidity(now - options.backdate_seconds, now + options.lifetime_seconds)
      .SetPublicKey(key)
      .SetKeyUsage(crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyAgreement)
      .SetBasicConstraints(false)
      .AddExtension(kRaTlsQuoteOid, std::move(quote).value(), /*critical=*/false);
  for (const auto& name : options.dns_names) builder.AddSubjectAltNameDns(name);
  for (const auto& ip : options.ip_addresses) builder.AddSubjectAltNameIp(ip);
  S3ML_ASSIGN_OR_RETURN(crypto::X509Certificate certificate, builder.Build(key));
  S3ML_ASSIGN_OR_RETURN(std::string pem, certificate.Pem());
  S3ML_ASSIGN_OR_RETURN(crypto::SecretBytes key_pem, key.PrivateKeyPem());
  std::vector<uint8_t> der = certificate.Der();
  return RaTlsCredentials{std::move(certificate), std::move(pem), std::move(der), std::move(key), std::move(key_pem)};
}

Result<ParsedRaTlsCertificate> ParseRaTlsCertificate(std::span<const uint8_t> der) {
  if (der.empty()) return InvalidArgument("RA-TLS certificate is empty");
  if (der.size() > kMaxRaTlsCertificateSize) {
    return ResourceExhausted("RA-TLS certificate of " + std::to_string(der.size()) + " bytes exceeds the limit of " +
                             std::to_string(kMaxRaTlsCertificateSize));
  }
  auto certificate = crypto::X509Certificate::FromDer(der);
  if (!certificate.ok()) return InvalidArgument("RA-TLS certificate is not a DER certificate: " +
                                                certificate.status().message());
  auto extension = certificate->ExtensionValue(kRaTlsQuoteOid);
  if (!extension.ok()) {
    return InvalidArgument("RA-TLS quote extension is malformed: " + extension.status().message());
  }
  if (!extension->has_value()) {
    return InvalidArgument(std::string("RA-TLS certificate has no RA-TLS quote extension (") + kRaTlsQuoteOid + ")");
  }
  std::vector<uint8_t> quote_bytes = std::move(**extension);
  if (quote_bytes.empty()) return InvalidArgument("RA-TLS quote extension is empty");
  if (quote_bytes.size() > kMaxSgxQuoteSize) {
    return InvalidArgument("RA-TLS quote extension of " + std::to_string(quote_bytes.size()) +
                           " bytes exceeds the quote limit of " + std::to_string(kMaxSgxQuoteSize));
  }
  auto quote = ParseSgxQuote(quote_bytes);
  if (!quote.ok()) return InvalidArgument("RA-TLS quote unparsable: " + quote.status().message());
  auto spki = certificate->SubjectPublicKeyInfoDer();
  if (!spki.ok()) return InvalidArgument("RA-TLS certificate public key: " + spki.status().message());
  return ParsedRaTlsCertificate{std::move(certificate).value(), std::move(spki).value(), std::move(quote_bytes),
                                std::move(quote).value()};
}

}  // namespace s3ml::attest
