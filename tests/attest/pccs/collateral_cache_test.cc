// CollateralCache in front of a local HTTPS PCCS: serves from disk until the earliest nextUpdate,
// refetches after it, refetches (and repairs) corrupt entries, never serves a broken entry; and
// the CollateralSource interface over a directory and over PCCS+cache.
#include "attest/collateral_cache.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "attest/dcap_verifier.h"
#include "core/file.h"
#include "core/hex.h"
#include "tests/attest/pccs/test_pccs_server.h"
#include "tests/attest/sgx_samples.h"
#include "tests/net/test_certificates.h"

namespace s3ml::attest {
namespace {

using testing::LoadSample;
using testing::PccsFault;
using testing::SgxSample;
using testing::TestPccsServer;

class CollateralCacheTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { pki_ = new net::testing::TestPki(net::testing::MakeTestPki("pccs cache")); }
  static void TearDownTestSuite() { delete pki_; }

  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("s3ml_pccs_cache_") + info->name() + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Start(const std::string& sample_name) {
    sample_ = LoadSample(sample_name);
    server_ = std::make_unique<TestPccsServer>(sample_name, pki_->server);
    PccsClientOptions options;
    options.base_url = server_->base_url();
    options.ca_pem = pki_->ca.certificate_pem;
    auto client = PccsClient::Create(options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
    clock_ = std::make_unique<FixedClock>(sample_.inside);
    cache_ = std::make_unique<CollateralCache>(dir_.string(), client_.get(), clock_.get());
    auto quote = ParseSgxQuote(sample_.quote);
    ASSERT_TRUE(quote.ok()) << quote.status().ToString();
    quote_ = std::move(quote).value();
  }

  void ExpectVerifies(const Result<Collateral>& collateral) {
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto verified = VerifyDcapQuote(quote_, *collateral, TrustAnchors::IntelOnly(), sample_.inside);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
  }

  std::string EntryFile(const std::string& name) {
    auto key = CollateralKeyOf(quote_);
    EXPECT_TRUE(key.ok());
    return cache_->EntryDirectory(*key) + "/" + name;
  }

  static net::testing::TestPki* pki_;
  std::filesystem::path dir_;
  SgxSample sample_;
  SgxQuote quote_;
  std::unique_ptr<TestPccsServer> server_;
  std::unique_ptr<PccsClient> client_;
  std::unique_ptr<FixedClock> clock_;
  std::unique_ptr<CollateralCache> cache_;
};
net::testing::TestPki* CollateralCacheTest::pki_ = nullptr;

TEST_F(CollateralCacheTest, SecondRequestIsServedFromDiskWithoutContactingThePccs) {
  for (const std::string name : {"dcap-qvl", "automata"}) {
    SCOPED_TRACE(name);
    Start(name);
    ExpectVerifies(cache_->CollateralFor(quote_));
    EXPECT_EQ(server_->requests(), 4u);
    ExpectVerifies(cache_->CollateralFor(quote_));
    EXPECT_EQ(server_->requests(), 4u);
    EXPECT_EQ(cache_->stats().hits, 1u);
    EXPECT_EQ(cache_->stats().fetches, 1u);
  }
}

TEST_F(CollateralCacheTest, EntryHoldsTheFilesOfTheTestdataLayout) {
  Start("automata");
  ExpectVerifies(cache_->CollateralFor(quote_));
  EXPECT_EQ(cache_->EntryDirectory(CollateralKeyOf(quote_).value()), dir_.string() + "/00606a000000-platform");
  auto files = ReadCollateralFiles(cache_->EntryDirectory(CollateralKeyOf(quote_).value()));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files->tcb_info_json, sample_.files.tcb_info_json);
  EXPECT_EQ(files->pck_crl, sample_.files.pck_crl);
  EXPECT_EQ(files->root_ca_crl, sample_.files.root_ca_crl);  // hex on the wire, DER on disk
  EXPECT_EQ(files->qe_identity_issuer_chain_pem, sample_.files.qe_identity_issuer_chain_pem);
  // A second cache over the same directory (a restarted process) needs no PCCS either.
  CollateralCache restarted(dir_.string(), client_.get(), clock_.get());
  ExpectVerifies(restarted.CollateralFor(quote_));
  EXPECT_EQ(server_->requests(), 4u);
}

TEST_F(CollateralCacheTest, RefetchesOnceTheEarliestNextUpdateIsReached) {
  Start("dcap-qvl");
  auto first = cache_->CollateralFor(quote_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto next_update = EarliestNextUpdate(*first);
  ASSERT_TRUE(next_update.ok()) << next_update.status().ToString();
  EXPECT_GT(*next_update, sample_.inside);

  clock_->Set(*next_update - 1);
  ASSERT_TRUE(cache_->CollateralFor(quote_).ok());
  EXPECT_EQ(server_->requests(), 4u);

  clock_->Set(*next_update);
  ASSERT_TRUE(cache_->CollateralFor(quote_).ok());
  EXPECT_EQ(server_->requests(), 8u);
  EXPECT_EQ(cache_->stats().fetches, 2u);
}

TEST_F(CollateralCacheTest, ExpiredEntryIsNotServedWhenThePccsFails) {
  Start("dcap-qvl");
  auto first = cache_->CollateralFor(quote_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  clock_->Set(EarliestNextUpdate(*first).value() + 10);
  server_->set_fault(PccsFault::kServerError);
  auto r = cache_->CollateralFor(quote_);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
}

TEST_F(CollateralCacheTest, CorruptCacheFilesAreRefetchedAndRepaired) {
  Start("dcap-qvl");
  ExpectVerifies(cache_->CollateralFor(quote_));
  for (const char* name : {"tcb_info.json", "qe_identity_issuer_chain.pem", "pck_crl.der", "root_ca_crl.der"}) {
    SCOPED_TRACE(name);
    uint64_t before = server_->requests();
    const std::string garbage = "{\"tcbInfo\": truncated";
    ASSERT_TRUE(WriteFileAtomic(EntryFile(name), {reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size()}).ok());
    ExpectVerifies(cache_->CollateralFor(quote_));
    EXPECT_EQ(server_->requests(), before + 4);
    // Repaired on disk: the next request is a hit again.
    ExpectVerifies(cache_->CollateralFor(quote_));
    EXPECT_EQ(server_->requests(), before + 4);
  }
  EXPECT_EQ(cache_->stats().discarded, 4u);
}

TEST_F(CollateralCacheTest, MissingCacheFileIsRefetched) {
  Start("automata");
  ExpectVerifies(cache_->CollateralFor(quote_));
  std::filesystem::remove(EntryFile("pck_crl_issuer_chain.pem"));
  ExpectVerifies(cache_->CollateralFor(quote_));
  EXPECT_EQ(server_->requests(), 8u);
}

TEST_F(CollateralCacheTest, EntryWithAnotherPlatformsTcbInfoIsNotTrusted) {
  Start("dcap-qvl");
  ExpectVerifies(cache_->CollateralFor(quote_));
  // A well-formed, validly signed TCB Info, but for another FMSPC, swapped into this entry.
  const std::string& other = LoadSample("automata").files.tcb_info_json;
  ASSERT_TRUE(WriteFileAtomic(EntryFile("tcb_info.json"), {reinterpret_cast<const uint8_t*>(other.data()), other.size()}).ok());
  ExpectVerifies(cache_->CollateralFor(quote_));
  EXPECT_EQ(server_->requests(), 8u);
  EXPECT_EQ(cache_->stats().discarded, 1u);
}

TEST_F(CollateralCacheTest, CorruptEntryAndFailingPccsGiveTheFetchError) {
  Start("dcap-qvl");
  ExpectVerifies(cache_->CollateralFor(quote_));
  const std::string garbage = "garbage";
  ASSERT_TRUE(WriteFileAtomic(EntryFile("tcb_info.json"), {reinterpret_cast<const uint8_t*>(garbage.data()), garbage.size()}).ok());
  server_->set_fault(PccsFault::kNotFound);
  auto r = cache_->CollateralFor(quote_);
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound) << r.status().ToString();
}

TEST_F(CollateralCacheTest, MalformedPccsResponsesAreNotCached) {
  Start("dcap-qvl");
  server_->set_fault(PccsFault::kGarbageTcbInfo);
  auto r = cache_->CollateralFor(quote_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(EntryFile("tcb_info.json")));
  server_->set_fault(PccsFault::kOtherFmspcTcbInfo);
  r = cache_->CollateralFor(quote_);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(EntryFile("tcb_info.json")));
  server_->set_fault(PccsFault::kNone);
  ExpectVerifies(cache_->CollateralFor(quote_));
  EXPECT_TRUE(std::filesystem::exists(EntryFile("tcb_info.json")));
}

TEST_F(CollateralCacheTest, BothCollateralSourcesVerifyTheSameQuote) {
  Start("automata");
  DirectoryCollateralSource directory(testing::SgxDir("automata"));
  std::vector<CollateralSource*> sources = {&directory, cache_.get()};
  std::vector<VerifiedQuote> results;
  for (CollateralSource* source : sources) {
    auto collateral = source->CollateralFor(quote_);
    ASSERT_TRUE(collateral.ok()) << collateral.status().ToString();
    auto verified = VerifyDcapQuote(quote_, *collateral, TrustAnchors::IntelOnly(), sample_.inside);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    results.push_back(*verified);
  }
  EXPECT_EQ(results[0].tcb_status, TcbStatus::kOutOfDate);
  EXPECT_EQ(results[1].tcb_status, results[0].tcb_status);
  EXPECT_EQ(results[1].valid_until, results[0].valid_until);
}

TEST_F(CollateralCacheTest, DirectorySourceReportsMissingFiles) {
  DirectoryCollateralSource directory((dir_ / "nothing-here").string());
  auto r = directory.CollateralFor(SgxQuote{});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("tcb_info.json"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace s3ml::attest
