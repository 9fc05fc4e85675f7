// Reports of the SLO benchmarks: CSV tables and gnuplot plots (PNG).
//
// RenderCsv follows RFC 4180: fields holding a comma, a double quote, CR or LF are quoted, quotes
// doubled; lines end with "\n". RenderGnuplotScript makes a self-contained script (the points are
// inline data blocks, so it can be re-run or edited without the CSV) that draws one series per
// model, with horizontal lines (SLOs) and vertical lines (fitted thresholds); it uses the cairo
// PNG terminal when gnuplot has it, else the libgd one. RenderPlot runs Debian's `gnuplot` on such
// a script. Non-finite y values (a p99 of +inf when every request failed) are left out of the plot.
#ifndef S3ML_CLUSTER_SLO_REPORT_H_
#define S3ML_CLUSTER_SLO_REPORT_H_

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace s3ml::cluster {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// InvalidArgument if a row's width differs from the header's.
Result<std::string> RenderCsv(const CsvTable& table);

// A CSV field for a number: "%.6g"-like shortest round text, "nan", "inf" or "-inf".
std::string CsvNumber(double value);

struct PlotSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in x order
};

struct PlotMarker {
  double value = 0;
  std::string label;
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::string png_path;
  int width = 900;
  int height = 600;
  std::vector<PlotSeries> series;
  std::optional<PlotMarker> horizontal;  // e.g. the SLO
  std::vector<PlotMarker> horizontals;   // more of them (e.g. one SLO per model)
  bool log_y = false;                    // logarithmic y axis (points with y <= 0 are then left out)
  std::vector<PlotMarker> verticals;     // e.g. fitted thresholds
};

// InvalidArgument for an empty png_path, a size outside 100..10000 pixels or no finite point.
Result<std::string> RenderGnuplotScript(const PlotSpec& spec);

// Runs `gnuplot <script_path>` (gnuplot found on PATH) and checks that `png_path` was written.
// kNotFound when gnuplot is not installed (saying which Debian package has it); kInternal with
// gnuplot's messages when it fails; kDeadlineExceeded (gnuplot killed) after `timeout`.
Status RenderPlot(const std::string& script_path, const std::string& png_path,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

}  // namespace s3ml::cluster

#endif  // S3ML_CLUSTER_SLO_REPORT_H_
