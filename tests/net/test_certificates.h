// Test-only throwaway PKI built with OpenSSL at run time: a CA, a server certificate with SANs
// (DNS:localhost, IP:127.0.0.1) and a client certificate, all ECDSA P-256, valid from an hour
// ago for a day. Never used outside tests.
#ifndef S3ML_TESTS_NET_TEST_CERTIFICATES_H_
#define S3ML_TESTS_NET_TEST_CERTIFICATES_H_

#include <string>
#include <string_view>
#include <vector>

namespace s3ml::net::testing {

struct TestIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
  std::vector<unsigned char> certificate_der;
};

struct TestPki {
  TestIdentity ca;
  TestIdentity server;  // CN=localhost, SAN DNS:localhost, IP:127.0.0.1
  TestIdentity client;  // CN=<client_name>, clientAuth
};

// `label` distinguishes CAs (subject names) when a test needs two unrelated PKIs.
TestPki MakeTestPki(std::string_view label = "s3ml test", std::string_view client_name = "test-client");

// A self-signed leaf (not a CA), as RA-TLS uses; `sans` like "DNS:localhost,IP:127.0.0.1".
TestIdentity MakeSelfSigned(std::string_view common_name, std::string_view sans);

// A leaf signed by `issuer`, valid from `not_before_offset_s` to `not_after_offset_s` (seconds
// relative to now).
TestIdentity MakeLeaf(const TestIdentity& issuer, std::string_view common_name, std::string_view sans,
                      long not_before_offset_s = -3600, long not_after_offset_s = 86400);

}  // namespace s3ml::net::testing

#endif  // S3ML_TESTS_NET_TEST_CERTIFICATES_H_
