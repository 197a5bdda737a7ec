#include "mix/episode_plot.h"

#include "core/xml_text.h"
#include "dsp/decibels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace namix {
namespace {

struct KindColour {
  const char* name;  // as block_kind_name() spells it
  const char* colour;
};

// Okabe-Ito palette: the kinds stay apart for colour-blind readers.
// web/app.js uses the same colours.
constexpr std::array<KindColour, 7> kKinds = {{
    {"banter", "#0072B2"},
    {"rant", "#D55E00"},
    {"clip", "#E69F00"},
    {"donation", "#009E73"},
    {"jingle", "#CC79A7"},
    {"music", "#56B4E9"},
    {"silence", "#BBBBBB"},
}};

std::string num(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

std::string clock(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (total >= 3600) {
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ld:%02ld", total / 60, total % 60);
  }
  return buf;
}

// A tick spacing that gives at most ~10 labelled ticks over the episode.
double time_tick_s(double duration_s) {
  static constexpr std::array<double, 14> kSteps = {1,   2,   5,   10,  15,   30,   60,
                                                    120, 300, 600, 900, 1800, 3600, 7200};
  for (double step : kSteps) {
    if (duration_s / step <= 10.0) return step;
  }
  return 14400.0;
}

struct Frame {
  double left, top, width, height;
  double x(double t, double duration_s) const { return left + width * (t / duration_s); }
};

}  // namespace

LoudnessTimeline loudness_timeline(const EpisodeAnalysis& analysis, std::size_t max_points) {
  LoudnessTimeline timeline;
  const std::size_t n = analysis.frames.size();
  if (n == 0 || max_points == 0) return timeline;
  // A whole number of frames per point keeps step_s exact, so point i starts
  // at exactly i * step_s in the source.
  const std::size_t frames_per_point = (n + max_points - 1) / max_points;
  timeline.step_s = static_cast<double>(frames_per_point) * analysis.hop_s;
  timeline.level_db.reserve(n / frames_per_point + 1);
  for (std::size_t first = 0; first < n; first += frames_per_point) {
    const std::size_t last = std::min(n, first + frames_per_point);
    // Averaged as power, not dB, so a loud word is not washed out by the
    // pause after it (the same pooling as BS.1770 gating blocks).
    double power = 0.0;
    for (std::size_t i = first; i < last; ++i) {
      power += dsp::db_to_power(static_cast<double>(analysis.frames[i].level_db));
    }
    power /= static_cast<double>(last - first);
    const double db = power > 0.0 ? 10.0 * std::log10(power) : -120.0;
    timeline.level_db.push_back(static_cast<float>(std::max(-120.0, db)));
  }
  return timeline;
}

const char* episode_plot_kind_colour(const std::string& kind) {
  for (const auto& k : kKinds) {
    if (kind == k.name) return k.colour;
  }
  return "#777777";
}

std::string episode_plot_svg(const EpisodeAnalysis& analysis, const EditList* edit_list,
                             const EpisodePlotOptions& options) {
  double duration_s = analysis.duration_s;
  if (duration_s <= 0.0) duration_s = static_cast<double>(analysis.frames.size()) * analysis.hop_s;
  if (duration_s <= 0.0) duration_s = 1.0;  // an empty episode still draws empty axes

  const double width = std::max(200, options.width_px);
  const double height = std::max(160, options.height_px);
  constexpr double kLeft = 48, kRight = 12, kTop = 28, kLane = 16, kAxis = 22, kLegend = 22;
  const Frame plot{kLeft, kTop, width - kLeft - kRight, height - kTop - kLane - kAxis - kLegend};
  const double lane_top = plot.top + plot.height + 2;
  const double floor_db = options.floor_db;
  const double span_db = std::max(1.0, options.ceiling_db - floor_db);
  auto y_of_db = [&](double db) {
    const double clamped = std::clamp(db, floor_db, floor_db + span_db);
    return plot.top + plot.height * (1.0 - (clamped - floor_db) / span_db);
  };
  auto clamp_t = [&](double t) { return std::clamp(t, 0.0, duration_s); };

  std::string svg;
  svg.reserve(16384 + analysis.blocks.size() * 160);
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
         "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" +
         num(height) + "\" fill=\"#ffffff\"/>\n";
  if (!options.title.empty()) {
    svg += "<text x=\"" + num(kLeft) + "\" y=\"18\" font-size=\"14\" font-weight=\"bold\">" +
           xml_escape(options.title) + "</text>\n";
  }

  // Grid and axes first, so the data sits on top of them.
  svg += "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">\n";
  for (double db = std::ceil(floor_db / 10.0) * 10.0; db <= floor_db + span_db; db += 10.0) {
    const double y = y_of_db(db);
    svg += "<line x1=\"" + num(plot.left) + "\" y1=\"" + num(y) + "\" x2=\"" +
           num(plot.left + plot.width) + "\" y2=\"" + num(y) + "\"/>\n";
  }
  svg += "</g>\n<g class=\"axis\" fill=\"#444444\">\n";
  for (double db = std::ceil(floor_db / 10.0) * 10.0; db <= floor_db + span_db; db += 10.0) {
    svg += "<text x=\"" + num(plot.left - 4) + "\" y=\"" + num(y_of_db(db) + 4) +
           "\" text-anchor=\"end\">" + std::to_string(std::lround(db)) + "</text>\n";
  }
  svg += "<text x=\"12\" y=\"" + num(plot.top + plot.height / 2) +
         "\" text-anchor=\"middle\" transform=\"rotate(-90 12 " + num(plot.top + plot.height / 2) +
         ")\">level dB</text>\n";
  const double tick_s = time_tick_s(duration_s);
  const double axis_y = lane_top + kLane + 14;
  for (double t = 0.0; t <= duration_s + 1e-9; t += tick_s) {
    svg += "<text x=\"" + num(plot.x(t, duration_s)) + "\" y=\"" + num(axis_y) +
           "\" text-anchor=\"middle\">" + clock(t) + "</text>\n";
  }
  svg += "</g>\n";

  // Blocks: a lane under the plot, one rect per block, faintly echoed behind
  // the loudness curve so a reader can follow a block up into the level.
  svg += "<g class=\"blocks\">\n";
  for (const Block& block : analysis.blocks) {
    const double x0 = plot.x(clamp_t(block.start_s), duration_s);
    const double x1 = plot.x(clamp_t(block.end_s), duration_s);
    const double w = std::max(0.5, x1 - x0);
    const std::string kind = block_kind_name(block.kind);
    const char* colour = episode_plot_kind_colour(kind);
    svg += "<rect class=\"block-shade\" x=\"" + num(x0) + "\" y=\"" + num(plot.top) +
           "\" width=\"" + num(w) + "\" height=\"" + num(plot.height) + "\" fill=\"" + colour +
           "\" fill-opacity=\"0.08\"/>\n";
    svg += "<rect class=\"block block-" + kind + "\" x=\"" + num(x0) + "\" y=\"" + num(lane_top) +
           "\" width=\"" + num(w) + "\" height=\"" + num(kLane - 2) + "\" fill=\"" + colour +
           "\"><title>" + kind + " " + clock(block.start_s) + "–" + clock(block.end_s) +
           (block.why.empty() ? "" : ": " + xml_escape(block.why)) + "</title></rect>\n";
  }
  svg += "</g>\n";

  // Chosen segments: over the plot and the block lane, outlined in their kind's
  // colour, under the loudness curve so the level stays readable through them.
  if (edit_list != nullptr) {
    svg += "<g class=\"segments\">\n";
    int number = 0;
    for (const EditSegment& segment : edit_list->segments) {
      ++number;
      const double x0 = plot.x(clamp_t(segment.start_s), duration_s);
      const double x1 = plot.x(clamp_t(segment.end_s), duration_s);
      svg += "<rect class=\"segment\" x=\"" + num(x0) + "\" y=\"" + num(plot.top) + "\" width=\"" +
             num(std::max(1.0, x1 - x0)) + "\" height=\"" + num(lane_top + kLane - plot.top) +
             "\" fill=\"#F0E442\" fill-opacity=\"0.45\" stroke=\"" +
             episode_plot_kind_colour(segment.kind) + "\" stroke-width=\"1.5\"><title>" +
             std::to_string(number) + ". " + xml_escape(segment.kind) + " " +
             clock(segment.start_s) + "–" + clock(segment.end_s) + " (mix " +
             clock(segment.mix_start_s) + ")" +
             (segment.description.empty() ? "" : ": " + xml_escape(segment.description)) +
             "</title></rect>\n";
    }
    svg += "</g>\n";
  }

  if (!analysis.frames.empty()) {
    const LoudnessTimeline timeline =
        loudness_timeline(analysis, static_cast<std::size_t>(std::max(1.0, plot.width)));
    std::string line;
    std::string area = "M" + num(plot.left) + " " + num(plot.top + plot.height);
    for (std::size_t i = 0; i < timeline.level_db.size(); ++i) {
      const double t = (static_cast<double>(i) + 0.5) * timeline.step_s;
      const std::string point = num(plot.x(clamp_t(t), duration_s)) + " " +
                                num(y_of_db(static_cast<double>(timeline.level_db[i])));
      line += (line.empty() ? "M" : " L") + point;
      area += " L" + point;
    }
    area += " L" + num(plot.left + plot.width) + " " + num(plot.top + plot.height) + " Z";
    svg += "<path class=\"loudness-area\" d=\"" + area +
           "\" fill=\"#333333\" fill-opacity=\"0.12\"/>\n";
    svg += "<path class=\"loudness\" d=\"" + line +
           "\" fill=\"none\" stroke=\"#222222\" stroke-width=\"1\" stroke-linejoin=\"round\"/>\n";
  }

  // Legend: the kinds that occur, then the segment swatch.
  svg += "<g class=\"legend\" fill=\"#444444\">\n";
  double legend_x = plot.left;
  const double legend_y = height - 8;
  for (const auto& k : kKinds) {
    const bool present = std::any_of(
        analysis.blocks.begin(), analysis.blocks.end(),
        [&](const Block& b) { return k.name == std::string_view(block_kind_name(b.kind)); });
    if (!present) continue;
    svg += "<rect x=\"" + num(legend_x) + "\" y=\"" + num(legend_y - 9) +
           "\" width=\"10\" height=\"10\" fill=\"" + k.colour + "\"/><text x=\"" +
           num(legend_x + 13) + "\" y=\"" + num(legend_y) + "\">" + k.name + "</text>\n";
    legend_x += 22 + 6.5 * static_cast<double>(std::string_view(k.name).size());
  }
  if (edit_list != nullptr) {
    svg += "<rect x=\"" + num(legend_x) + "\" y=\"" + num(legend_y - 9) +
           "\" width=\"10\" height=\"10\" fill=\"#F0E442\" stroke=\"#444444\"/><text x=\"" +
           num(legend_x + 13) + "\" y=\"" + num(legend_y) + "\">chosen segment</text>\n";
  }
  svg += "</g>\n</svg>\n";
  return svg;
}

}  // namespace namix
