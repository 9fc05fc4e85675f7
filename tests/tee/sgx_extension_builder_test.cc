#include "tee/sim/sgx_extension_builder.h"

#include <gtest/gtest.h>

#include "attest/pck_extension.h"

namespace s3ml::tee::sim {
namespace {

TEST(SgxExtensionBuilderTest, IntelsParserReadsEveryField) {
  SgxExtensionFields f;
  for (size_t i = 0; i < 16; ++i) {
    f.ppid[i] = static_cast<uint8_t>(0xa0 + i);
    f.tcb_component_svns[i] = static_cast<uint8_t>(i * 3);
    f.cpusvn[i] = static_cast<uint8_t>(0x10 + i);
  }
  f.tcb_component_svns[4] = 255;
  f.pcesvn = 300;
  f.pce_id = {0x00, 0x01};
  f.fmspc = {0x00, 0x90, 0x6e, 0xa1, 0x00, 0x00};
  f.sgx_type = 1;
  auto der = BuildSgxExtensionDer(f);
  ASSERT_TRUE(der.ok()) << der.status().ToString();
  auto parsed = attest::ParseSgxPckExtension(der.value());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ppid, f.ppid);
  EXPECT_EQ(parsed->tcb_component_svns, f.tcb_component_svns);
  EXPECT_EQ(parsed->pcesvn, 300);
  EXPECT_EQ(parsed->cpusvn, f.cpusvn);
  EXPECT_EQ(parsed->pce_id, f.pce_id);
  EXPECT_EQ(parsed->fmspc, f.fmspc);
  EXPECT_EQ(parsed->sgx_type, 1);
}

TEST(SgxExtensionBuilderTest, TruncatedEncodingIsRefusedByTheParser) {
  auto der = BuildSgxExtensionDer(SgxExtensionFields{}).value();
  der.resize(der.size() - 3);
  EXPECT_FALSE(attest::ParseSgxPckExtension(der).ok());
}

}  // namespace
}  // namespace s3ml::tee::sim
