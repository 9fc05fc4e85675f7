// CSV and gnuplot reports (cluster/slo_report.h): RFC 4180 quoting, the header, number fields, the
// script's text (quoting of titles and paths, inline data, markers, skipped non-finite points),
// and, when Debian's gnuplot is installed, a real PNG rendered from such a script.
#include "cluster/slo_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "cluster/executable_lookup.h"
#include "core/file.h"
#include "tests/cluster/cluster_test_util.h"

namespace s3ml::cluster {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SloCsvTest, HeaderThenRowsEachEndingWithNewline) {
  CsvTable t;
  t.header = {"model", "p99_ms"};
  t.rows = {{"a", "1.5"}, {"b", "2"}};
  auto csv = RenderCsv(t);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(*csv, "model,p99_ms\na,1.5\nb,2\n");
}

TEST(SloCsvTest, QuotesFieldsWithSeparatorsQuotesAndLineBreaks) {
  CsvTable t;
  t.header = {"x"};
  t.rows = {{"plain"}, {"a,b"}, {"say \"hi\""}, {"two\nlines"}, {"cr\r"}, {""}, {" spaced "}};
  auto csv = RenderCsv(t);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, "x\nplain\n\"a,b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\"cr\r\"\n\n spaced \n");
}

TEST(SloCsvTest, HeaderFieldsAreQuotedToo) {
  CsvTable t;
  t.header = {"rate, pages/s", "p99"};
  auto csv = RenderCsv(t);
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(*csv, "\"rate, pages/s\",p99\n");
}

TEST(SloCsvTest, RejectsARowOfTheWrongWidth) {
  CsvTable t;
  t.header = {"a", "b"};
  t.rows = {{"1", "2"}, {"3"}};
  auto csv = RenderCsv(t);
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(csv.status().message().find("row 2"), std::string::npos) << csv.status().message();
}

TEST(SloCsvTest, Numbers) {
  EXPECT_EQ(CsvNumber(0), "0");
  EXPECT_EQ(CsvNumber(1.5), "1.5");
  EXPECT_EQ(CsvNumber(12345.678), "12345.7");
  EXPECT_EQ(CsvNumber(1e-7), "1e-07");
  EXPECT_EQ(CsvNumber(std::nan("")), "nan");
  EXPECT_EQ(CsvNumber(kInf), "inf");
  EXPECT_EQ(CsvNumber(-kInf), "-inf");
}

PlotSpec TwoSeries(const std::string& png) {
  PlotSpec spec;
  spec.title = "p99 vs paging";
  spec.x_label = "pages/s";
  spec.y_label = "ms";
  spec.png_path = png;
  spec.series = {{"mobilenet_v2", {{2000, 60}, {0, 10}, {1000, 20}}}, {"it's v1", {{0, 2}, {500, kInf}, {800, 3}}}};
  spec.horizontal = PlotMarker{40, "SLO 40 ms"};
  spec.horizontals = {{25, "other SLO"}, {std::nan(""), "skipped"}};
  spec.verticals = {{1500, "v2 1500"}};
  return spec;
}

TEST(SloPlotTest, ScriptHasTerminalOutputDataAndMarkers) {
  auto script = RenderGnuplotScript(TwoSeries("/tmp/out dir/plot.png"));
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  const std::string& s = *script;
  EXPECT_NE(s.find("set terminal pngcairo noenhanced size 900,600"), std::string::npos) << s;
  EXPECT_NE(s.find("set terminal png noenhanced size 900,600"), std::string::npos) << s;
  EXPECT_NE(s.find("set output '/tmp/out dir/plot.png'\n"), std::string::npos) << s;
  // Points sorted by x in an inline block; the +inf point is left out.
  EXPECT_NE(s.find("$series0 << EOD\n0 10\n1000 20\n2000 60\nEOD\n"), std::string::npos) << s;
  EXPECT_NE(s.find("$series1 << EOD\n0 2\n800 3\nEOD\n"), std::string::npos) << s;
  // Single-quoted titles with the quote doubled.
  EXPECT_NE(s.find("title 'it''s v1'"), std::string::npos) << s;
  EXPECT_NE(s.find("title 'mobilenet_v2'"), std::string::npos) << s;
  EXPECT_NE(s.find("40 with lines"), std::string::npos) << s;
  EXPECT_NE(s.find("title 'SLO 40 ms'"), std::string::npos) << s;
  EXPECT_NE(s.find("25 with lines dashtype 3 linewidth 2 title 'other SLO'"), std::string::npos) << s;
  EXPECT_EQ(s.find("skipped"), std::string::npos) << s;
  EXPECT_NE(s.find("set arrow 1 from 1500, graph 0 to 1500, graph 1"), std::string::npos) << s;
  EXPECT_NE(s.find("set label 'v2 1500' at 1500"), std::string::npos) << s;
}

TEST(SloPlotTest, LineBreaksInTextCannotEndACommand) {
  PlotSpec spec = TwoSeries("/tmp/p.png");
  spec.title = "a\nset output '/etc/x'";
  auto script = RenderGnuplotScript(spec);
  ASSERT_TRUE(script.ok());
  EXPECT_NE(script->find("set title 'a set output ''/etc/x'''\n"), std::string::npos) << *script;
}

TEST(SloPlotTest, LogScaleLeavesOutNonPositiveValues) {
  PlotSpec spec = TwoSeries("/tmp/p.png");
  spec.series = {{"s", {{0, 0}, {1, 5}, {2, -1}}}};
  auto linear = RenderGnuplotScript(spec);
  ASSERT_TRUE(linear.ok());
  EXPECT_NE(linear->find("set yrange [0:*]"), std::string::npos);
  EXPECT_NE(linear->find("$series0 << EOD\n0 0\n1 5\n2 -1\nEOD\n"), std::string::npos) << *linear;
  spec.log_y = true;
  auto log = RenderGnuplotScript(spec);
  ASSERT_TRUE(log.ok());
  EXPECT_NE(log->find("set logscale y\n"), std::string::npos);
  EXPECT_EQ(log->find("set yrange [0:*]"), std::string::npos);
  EXPECT_NE(log->find("$series0 << EOD\n1 5\nEOD\n"), std::string::npos) << *log;
}

TEST(SloPlotTest, SeriesWithoutFinitePointsIsLeftOut) {
  PlotSpec spec = TwoSeries("/tmp/p.png");
  spec.series.push_back({"empty", {{std::nan(""), 1}, {1, kInf}}});
  auto script = RenderGnuplotScript(spec);
  ASSERT_TRUE(script.ok());
  EXPECT_EQ(script->find("'empty'"), std::string::npos);
  EXPECT_EQ(script->find("$series2"), std::string::npos);
}

TEST(SloPlotTest, RejectsBadSpecs) {
  PlotSpec no_png = TwoSeries("");
  EXPECT_EQ(RenderGnuplotScript(no_png).status().code(), StatusCode::kInvalidArgument);
  PlotSpec tiny = TwoSeries("/tmp/p.png");
  tiny.width = 10;
  EXPECT_EQ(RenderGnuplotScript(tiny).status().code(), StatusCode::kInvalidArgument);
  PlotSpec nothing = TwoSeries("/tmp/p.png");
  nothing.series = {{"only inf", {{0, kInf}}}};
  auto r = RenderGnuplotScript(nothing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no series"), std::string::npos);
}

using testing::TempDir;

TEST(SloPlotTest, GnuplotRendersAPng) {
  if (!FindExecutable("gnuplot").ok()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  const std::string png = dir.path() + "/p99 it's.png";  // a space and a quote in the path
  PlotSpec spec = TwoSeries(png);
  spec.log_y = true;
  auto script = RenderGnuplotScript(spec);
  ASSERT_TRUE(script.ok());
  const std::string script_path = dir.path() + "/plot.gp";
  ASSERT_TRUE(WriteFileAtomic(script_path, {reinterpret_cast<const uint8_t*>(script->data()), script->size()}).ok());
  Status rendered = RenderPlot(script_path, png);
  ASSERT_TRUE(rendered.ok()) << rendered.ToString();
  auto bytes = ReadFileBytes(png);
  ASSERT_TRUE(bytes.ok());
  const std::vector<uint8_t> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  ASSERT_GT(bytes->size(), 1000u);
  EXPECT_TRUE(std::equal(signature.begin(), signature.end(), bytes->begin()));
}

TEST(SloPlotTest, GnuplotErrorsAreReported) {
  if (!FindExecutable("gnuplot").ok()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  const std::string script_path = dir.path() + "/bad.gp";
  const std::string bad = "this is not gnuplot\n";
  ASSERT_TRUE(WriteFileAtomic(script_path, {reinterpret_cast<const uint8_t*>(bad.data()), bad.size()}).ok());
  Status s = RenderPlot(script_path, dir.path() + "/none.png");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("bad.gp"), std::string::npos) << s.message();
}

TEST(SloPlotTest, MissingGnuplotIsAClearError) {
  // PATH without gnuplot (and FindExecutable's sbin fallbacks do not hold it on Debian).
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path ? old_path : "";
  TempDir dir;
  ::setenv("PATH", dir.path().c_str(), 1);
  const bool hidden = !FindExecutable("gnuplot").ok();
  Status s = RenderPlot(dir.path() + "/x.gp", dir.path() + "/x.png");
  ::setenv("PATH", saved.c_str(), 1);
  if (!hidden) GTEST_SKIP() << "gnuplot is in an sbin directory";
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_NE(s.message().find("gnuplot is not installed"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace s3ml::cluster
