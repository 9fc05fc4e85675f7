#include "cluster/slo_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cluster/bench_cluster.h"
#include "cluster/executable_lookup.h"
#include "core/file.h"

namespace s3ml::cluster {
namespace {

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A gnuplot single-quoted string: no escapes are processed inside, a quote is written twice.
// Line breaks would end the command, so they become spaces.
std::string GnuplotQuote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out + "'";
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

}  // namespace

std::string CsvNumber(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  return buf;
}

Result<std::string> RenderCsv(const CsvTable& table) {
  std::string out;
  auto append_line = [&out](const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      out += CsvField(fields[i]);
    }
    out += '\n';
  };
  append_line(table.header);
  for (size_t r = 0; r < table.rows.size(); ++r) {
    if (table.rows[r].size() != table.header.size())
      return InvalidArgument("CSV row " + std::to_string(r + 1) + " has " + std::to_string(table.rows[r].size()) +
                             " fields, the header " + std::to_string(table.header.size()));
    append_line(table.rows[r]);
  }
  return out;
}

Result<std::string> RenderGnuplotScript(const PlotSpec& spec) {
  if (spec.png_path.empty()) return InvalidArgument("plot: no PNG path");
  if (spec.width < 100 || spec.width > 10000 || spec.height < 100 || spec.height > 10000)
    return InvalidArgument("plot: size " + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
                           " is outside 100..10000 pixels");
  std::string data;
  std::vector<std::pair<size_t, std::string>> plotted;  // (series index, block name)
  for (size_t i = 0; i < spec.series.size(); ++i) {
    std::vector<std::pair<double, double>> points;
    for (const auto& p : spec.series[i].points)
      if (std::isfinite(p.first) && std::isfinite(p.second) && !(spec.log_y && p.second <= 0)) points.push_back(p);
    if (points.empty()) continue;
    std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::string block = "$series" + std::to_string(i);
    data += block + " << EOD\n";
    for (const auto& p : points) data += Number(p.first) + " " + Number(p.second) + "\n";
    data += "EOD\n";
    plotted.emplace_back(i, block);
  }
  if (plotted.empty()) return InvalidArgument("plot: no series has a finite point");

  const std::string size = std::to_string(spec.width) + "," + std::to_string(spec.height);
  std::string s = "# gnuplot script written by s3ml (render: gnuplot <this file>)\n";
  s += "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n";
  s += "  set terminal pngcairo noenhanced size " + size + "\n";
  s += "} else {\n";
  s += "  set terminal png noenhanced size " + size + "\n";
  s += "}\n";
  s += "set output " + GnuplotQuote(spec.png_path) + "\n";
  s += "set title " + GnuplotQuote(spec.title) + "\n";
  s += "set xlabel " + GnuplotQuote(spec.x_label) + "\n";
  s += "set ylabel " + GnuplotQuote(spec.y_label) + "\n";
  s += "set key top left box opaque\nset grid\nset xrange [0:*]\n";
  s += spec.log_y ? "set logscale y\n" : "set yrange [0:*]\n";
  s += data;
  int arrow = 1;
  for (const PlotMarker& v : spec.verticals) {
    if (!std::isfinite(v.value)) continue;
    s += "set arrow " + std::to_string(arrow++) + " from " + Number(v.value) + ", graph 0 to " + Number(v.value) +
         ", graph 1 nohead dashtype 2 linecolor rgb 'gray40'\n";
    s += "set label " + GnuplotQuote(v.label) + " at " + Number(v.value) + ", graph 0.97 rotate by 90 right front\n";
  }
  std::vector<std::string> parts;
  for (const auto& [index, block] : plotted)
    parts.push_back(block + " using 1:2 with linespoints pointtype 7 title " + GnuplotQuote(spec.series[index].name));
  std::vector<PlotMarker> horizontals = spec.horizontals;
  if (spec.horizontal) horizontals.insert(horizontals.begin(), *spec.horizontal);
  for (const PlotMarker& h : horizontals) {
    if (!std::isfinite(h.value)) continue;
    parts.push_back(Number(h.value) + " with lines dashtype 3 linewidth 2 title " + GnuplotQuote(h.label));
  }
  s += "plot ";
  for (size_t i = 0; i < parts.size(); ++i) s += (i > 0 ? ", \\\n     " : "") + parts[i];
  s += "\n";
  return s;
}

Status RenderPlot(const std::string& script_path, const std::string& png_path, std::chrono::milliseconds timeout) {
  auto gnuplot = FindExecutable("gnuplot");
  if (!gnuplot.ok())
    return NotFound("gnuplot is not installed (Debian: apt-get install gnuplot-nox); the plot script is " +
                    script_path + ", the data is in the CSV");
  std::error_code ec;
  std::filesystem::remove(png_path, ec);  // so that a stale PNG cannot pass for this one
  S3ML_ASSIGN_OR_RETURN(ProgramRun run, RunProgram({*gnuplot, script_path}, timeout));
  if (run.timed_out) return DeadlineExceeded("gnuplot " + script_path + " did not finish: " + run.output);
  if (run.exit_code != 0)
    return Internal("gnuplot " + script_path + " failed (exit " + std::to_string(run.exit_code) + "): " + run.output);
  if (!std::filesystem::is_regular_file(png_path, ec) || std::filesystem::file_size(png_path, ec) == 0)
    return Internal("gnuplot " + script_path + " wrote no " + png_path + ": " + run.output);
  return Status::Ok();
}

}  // namespace s3ml::cluster
