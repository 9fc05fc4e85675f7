// PccsClient against a local HTTPS PCCS serving the real samples of testdata/sgx: the fetched
// collateral verifies the sample quotes exactly as the directory does; every malformed or refused
// response is a clear error.
#include "attest/pccs_client.h"

#include <gtest/gtest.h>

#include "attest/dcap_verifier.h"
#include "core/hex.h"
#include "crypto/x509_certificate.h"
#include "tests/attest/pccs/test_pccs_server.h"
#include "tests/attest/sgx_samples.h"
#include "tests/net/test_certificates.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;
using testing::PccsFault;
using testing::SgxSample;
using testing::TestPccsServer;

class PccsClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new net::testing::TestPki(net::testing::MakeTestPki("pccs"));
    other_pki_ = new net::testing::TestPki(net::testing::MakeTestPki("unrelated"));
  }
  static void TearDownTestSuite() {
    delete pki_;
    delete other_pki_;
  }
  static std::unique_ptr<PccsClient> Client(const TestPccsServer& server, const std::string& ca_pem,
                                            uint64_t max_response_bytes = 1 << 20) {
    PccsClientOptions options;
    options.base_url = server.base_url();
    options.ca_pem = ca_pem;
    options.max_response_bytes = max_response_bytes;
    auto client = PccsClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }
  static CollateralKey KeyOf(const SgxSample& sample) {
    auto quote = ParseSgxQuote(sample.quote);
    EXPECT_TRUE(quote.ok()) << quote.status().ToString();
    auto key = CollateralKeyOf(*quote);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return *key;
  }
  static net::testing::TestPki* pki_;
  static net::testing::TestPki* other_pki_;
};
net::testing::TestPki* PccsClientTest::pki_ = nullptr;
net::testing::TestPki* PccsClientTest::other_pki_ = nullptr;

TEST_F(PccsClientTest, CollateralKeyOfReadsFmspcAndPckCaFromTheQuote) {
  CollateralKey qvl = KeyOf(LoadSample("dcap-qvl"));
  EXPECT_EQ(HexEncode(qvl.fmspc), "00a067110000");
  EXPECT_EQ(qvl.ca, PckCaType::kProcessor);
  CollateralKey automata = KeyOf(LoadSample("automata"));
  EXPECT_EQ(HexEncode(automata.fmspc), "00606a000000");
  EXPECT_EQ(automata.ca, PckCaType::kPlatform);
}

TEST_F(PccsClientTest, CollateralKeyOfRefusesQuotesWithoutAnIntelPckChain) {
  SgxQuote quote;
  EXPECT_EQ(CollateralKeyOf(quote).status().code(), StatusCode::kInvalidArgument);
  quote.pck_chain_pem = pki_->server.certificate_pem + pki_->ca.certificate_pem;  // no SGX extension
  auto r = CollateralKeyOf(quote);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("quote PCK certificate"), std::string::npos) << r.status().ToString();
  // An Intel PCK leaf under an issuer that is not one of the two PCK CAs.
  auto real = ParseSgxQuote(LoadSample("dcap-qvl").quote);
  ASSERT_TRUE(real.ok());
  auto certs = crypto::SplitPemCertificates(real->pck_chain_pem);
  ASSERT_TRUE(certs.ok());
  auto leaf = crypto::X509Certificate::FromDer((*certs)[0]);
  ASSERT_TRUE(leaf.ok());
  quote.pck_chain_pem = leaf->Pem().value() + pki_->ca.certificate_pem;
  r = CollateralKeyOf(quote);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_NE(r.status().message().find("neither the PCK Processor nor the Platform CA"), std::string::npos)
      << r.status().ToString();
}

TEST_F(PccsClientTest, FetchedCollateralVerifiesQuotesExactlyAsTheDirectory) {
  for (const std::string name : {"dcap-qvl", "automata"}) {
    SCOPED_TRACE(name);
    SgxSample sample = LoadSample(name);
    // dcap-qvl: root CA CRL hex-encoded as PCCS serves it; automata: DER as the PCS serves it.
    TestPccsServer server(name, pki_->server, /*hex_root_crl=*/name == "dcap-qvl");
    auto client = Client(server, pki_->ca.certificate_pem);
    ASSERT_NE(client, nullptr);

    auto files = client->FetchCollateralFiles(KeyOf(sample));
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    EXPECT_EQ(files->tcb_info_json, sample.files.tcb_info_json);
    EXPECT_EQ(files->tcb_info_issuer_chain_pem, sample.files.tcb_info_issuer_chain_pem);
    EXPECT_EQ(files->qe_identity_json, sample.files.qe_identity_json);
    EXPECT_EQ(files->qe_identity_issuer_chain_pem, sample.files.qe_identity_issuer_chain_pem);
    EXPECT_EQ(files->pck_crl, sample.files.pck_crl);
    EXPECT_EQ(files->pck_crl_issuer_chain_pem, sample.files.pck_crl_issuer_chain_pem);
    EXPECT_EQ(files->root_ca_crl, sample.files.root_ca_crl);
    EXPECT_EQ(server.requests(), 4u);

    auto collateral = client->FetchCollateral(KeyOf(sample));
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto via_pccs = VerifyDcapQuote(sample.quote, *collateral, TrustAnchors::IntelOnly(), sample.inside);
    ASSERT_TRUE(via_pccs.ok()) << via_pccs.status().ToString();
    auto via_directory = testing::Verify(sample.quote, sample.files, sample.inside);
    ASSERT_TRUE(via_directory.ok()) << via_directory.status().ToString();
    EXPECT_EQ(via_pccs->tcb_status, via_directory->tcb_status);
    EXPECT_EQ(via_pccs->advisory_ids, via_directory->advisory_ids);
    EXPECT_EQ(via_pccs->identity.mrenclave, via_directory->identity.mrenclave);
    EXPECT_EQ(via_pccs->valid_until, via_directory->valid_until);
    // Outside the window the PCCS collateral is refused like the directory's.
    auto expired = VerifyDcapQuote(sample.quote, *collateral, TrustAnchors::IntelOnly(), sample.window_end + 86400);
    EXPECT_EQ(expired.status().code(), StatusCode::kOutOfRange) << expired.status().ToString();
  }
}

TEST_F(PccsClientTest, KnownDcapQvlOutcomeThroughPccs) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, pki_->ca.certificate_pem);
  ASSERT_NE(client, nullptr);
  auto collateral = client->FetchCollateral(KeyOf(sample));
  ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
  auto verified = VerifyDcapQuote(sample.quote, *collateral, TrustAnchors::IntelOnly(), sample.inside);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->platform_tcb_status, TcbStatus::kConfigurationAndSwHardeningNeeded);
  EXPECT_EQ(verified->qe_tcb_status, TcbStatus::kUpToDate);
  EXPECT_EQ(verified->advisory_ids, (std::vector<std::string>{"INTEL-SA-00289", "INTEL-SA-00615"}));
}

TEST_F(PccsClientTest, UnknownFmspcIsNotFound) {
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, pki_->ca.certificate_pem);
  ASSERT_NE(client, nullptr);
  CollateralKey key{.fmspc = {1, 2, 3, 4, 5, 6}, .ca = PckCaType::kProcessor};
  auto r = client->FetchCollateral(key);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("tcb?fmspc=010203040506"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos) << r.status().message();
}

TEST_F(PccsClientTest, WrongCaTypeIsNotFound) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, pki_->ca.certificate_pem);
  ASSERT_NE(client, nullptr);
  CollateralKey key = KeyOf(sample);
  key.ca = PckCaType::kPlatform;
  auto r = client->FetchCollateral(key);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
  EXPECT_NE(r.status().message().find("pckcrl?ca=platform"), std::string::npos) << r.status().message();
}

struct FaultCase {
  PccsFault fault;
  StatusCode code;
  const char* message_part;
};

TEST_F(PccsClientTest, MisbehavingServerGivesClearErrors) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  const FaultCase cases[] = {
      {PccsFault::kNotFound, StatusCode::kNotFound, "HTTP 404"},
      {PccsFault::kServerError, StatusCode::kUnavailable, "HTTP 503"},
      {PccsFault::kMissingHeader, StatusCode::kInvalidArgument, "missing header TCB-Info-Issuer-Chain"},
      {PccsFault::kBadHeaderEscape, StatusCode::kInvalidArgument, "bad %-escape"},
      {PccsFault::kGarbageTcbInfo, StatusCode::kInvalidArgument, "tcb_info.json"},
      {PccsFault::kGarbageCrl, StatusCode::kInvalidArgument, "pck_crl"},
      {PccsFault::kOversizedTcbInfo, StatusCode::kResourceExhausted, "/sgx/certification/v4/tcb"},
      {PccsFault::kOtherFmspcTcbInfo, StatusCode::kInvalidArgument, "TCB Info is for FMSPC 00606a000000"},
  };
  for (const FaultCase& c : cases) {
    SCOPED_TRACE(c.message_part);
    server.set_fault(c.fault);
    auto client = Client(server, pki_->ca.certificate_pem);
    ASSERT_NE(client, nullptr);
    auto r = client->FetchCollateral(KeyOf(sample));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code) << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.message_part), std::string::npos) << r.status().ToString();
  }
}

TEST_F(PccsClientTest, ResponseOverTheConfiguredLimitIsRefused) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, pki_->ca.certificate_pem, /*max_response_bytes=*/1024);  // TCB Info is 4.6 KB
  ASSERT_NE(client, nullptr);
  auto r = client->FetchCollateral(KeyOf(sample));
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted) << r.status().ToString();
}

TEST_F(PccsClientTest, UntrustedServerCertificateIsRefused) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, other_pki_->ca.certificate_pem);
  ASSERT_NE(client, nullptr);
  auto r = client->FetchCollateral(KeyOf(sample));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_EQ(server.requests(), 0u);
}

TEST_F(PccsClientTest, SystemTrustStoreDoesNotTrustAThrowawayCa) {
  SgxSample sample = LoadSample("dcap-qvl");
  TestPccsServer server("dcap-qvl", pki_->server);
  auto client = Client(server, /*ca_pem=*/"");
  ASSERT_NE(client, nullptr);
  auto r = client->FetchCollateral(KeyOf(sample));
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
}

TEST_F(PccsClientTest, UnreachableServerIsUnavailable) {
  PccsClientOptions options;
  {
    TestPccsServer server("dcap-qvl", pki_->server);
    options.base_url = server.base_url();
  }  // shut down: nothing listens on the port any more
  options.ca_pem = pki_->ca.certificate_pem;
  auto client = PccsClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto r = (*client)->FetchCollateral(KeyOf(LoadSample("dcap-qvl")));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

TEST_F(PccsClientTest, BadOptionsAreRefused) {
  auto create = [](std::string url, std::string ca) {
    PccsClientOptions o;
    o.base_url = std::move(url);
    o.ca_pem = std::move(ca);
    return PccsClient::Create(o).status();
  };
  const std::string ca = pki_->ca.certificate_pem;
  EXPECT_EQ(create("http://127.0.0.1:8081", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://host:0", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://host:70000", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://host:8x", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://host/?q=1", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://[::1", ca).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("https://127.0.0.1:8081", "not a certificate").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(create("https://[::1]:8081/pccs/", ca).ok());
  EXPECT_TRUE(create("https://api.trustedservices.intel.com", ca).ok());
}

TEST(PercentDecodeTest, DecodesEscapesAndKeepsPlus) {
  EXPECT_EQ(PercentDecode("-----BEGIN%20CERTIFICATE-----%0AMII+/w%3D%3D").value(),
            "-----BEGIN CERTIFICATE-----\nMII+/w==");
  EXPECT_EQ(PercentDecode("%2b%2B").value(), "++");
  EXPECT_EQ(PercentDecode("abc%").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PercentDecode("abc%4").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PercentDecode("%zz").status().code(), StatusCode::kInvalidArgument);
}

TEST(UrlEncodeRoundTripTest, PemSurvivesEncodingAndDecoding) {
  SgxSample sample = LoadSample("automata");
  const std::string& pem = sample.files.pck_crl_issuer_chain_pem;
  EXPECT_EQ(PercentDecode(testing::UrlEncode(pem)).value(), pem);
}

}  // namespace
}  // namespace s3ml::attest
