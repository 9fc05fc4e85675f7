#include "net/tls_context.h"

#include <gtest/gtest.h>

#include "tests/net/test_certificates.h"

namespace s3ml::net {
namespace {

using testing::MakeTestPki;
using testing::TestPki;

class TlsContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new TestPki(MakeTestPki()); }
  static void TearDownTestSuite() { delete pki_; }
  static TestPki* pki_;
};
TestPki* TlsContextTest::pki_ = nullptr;

TEST_F(TlsContextTest, BuildsServerAndClientContexts) {
  TlsServerOptions server;
  server.certificate_chain_pem = pki_->server.certificate_pem + pki_->ca.certificate_pem;
  server.private_key_pem = pki_->server.private_key_pem;
  auto s = TlsContext::CreateServer(server);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE((*s)->is_server());

  TlsClientOptions client;
  client.root_pem = pki_->ca.certificate_pem;
  client.certificate_chain_pem = pki_->client.certificate_pem;
  client.private_key_pem = pki_->client.private_key_pem;
  auto c = TlsContext::CreateClient(client);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE((*c)->is_server());
}

TEST_F(TlsContextTest, RefusesGarbageAndTruncatedCertificates) {
  TlsServerOptions o;
  o.private_key_pem = pki_->server.private_key_pem;
  o.certificate_chain_pem = "not a certificate";
  auto r = TlsContext::CreateServer(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("certificate_chain_pem contains no PEM certificate"), std::string::npos);

  const std::string& pem = pki_->server.certificate_pem;
  o.certificate_chain_pem = pem.substr(0, pem.size() / 2) + "\n-----END CERTIFICATE-----\n";
  r = TlsContext::CreateServer(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("certificate_chain_pem"), std::string::npos) << r.status().message();

  o.certificate_chain_pem = "";
  EXPECT_EQ(TlsContext::CreateServer(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(TlsContextTest, RefusesBadOrMismatchedKeys) {
  TlsServerOptions o;
  o.certificate_chain_pem = pki_->server.certificate_pem;
  o.private_key_pem = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  auto r = TlsContext::CreateServer(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("private_key_pem is not"), std::string::npos) << r.status().message();

  o.private_key_pem = pki_->client.private_key_pem;  // a real key, but not the certificate's
  r = TlsContext::CreateServer(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not match"), std::string::npos) << r.status().message();
}

TEST_F(TlsContextTest, RefusesConfigurationsThatCannotVerifyPeers) {
  TlsClientOptions client;  // neither a root nor a verifier
  auto c = TlsContext::CreateClient(client);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("root_pem or a verifier"), std::string::npos);

  client.root_pem = pki_->ca.certificate_pem;
  client.certificate_chain_pem = pki_->client.certificate_pem;  // key missing
  EXPECT_EQ(TlsContext::CreateClient(client).status().code(), StatusCode::kInvalidArgument);

  TlsServerOptions server;
  server.certificate_chain_pem = pki_->server.certificate_pem;
  server.private_key_pem = pki_->server.private_key_pem;
  server.client_certificate = ClientCertificateMode::kRequire;
  auto s = TlsContext::CreateServer(server);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("neither client_root_pem nor a verifier"), std::string::npos);

  server.client_root_pem = "garbage";
  EXPECT_EQ(TlsContext::CreateServer(server).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3ml::net
