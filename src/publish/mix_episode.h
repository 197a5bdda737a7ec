// A mix as an episode of a published feed: its segments, listed in the
// episode's description with the times they come from in the source, and
// its strongest segment offered as the podcast:soundbite.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "publish/podcast_feed.h"

namespace namix {

struct MixSegment {
  std::string kind;         // "rant", "clip", ...
  std::string description;  // what the selection saw in it
  std::string text;         // the transcript's excerpt, when the mix had one
  double start_s = 0.0;     // in the source episode
  double end_s = 0.0;
  double mix_start_s = 0.0;  // in the mix
  double duration_s = 0.0;
  double confidence = 0.0;
};

// The result JSON's "segments" (start_time, end_time, mix_start, duration,
// kind, confidence, description, text); entries without times are skipped.
std::vector<MixSegment> mix_segments_from_result(const nlohmann::json& segments);
// The same fields back, for a feed's stored index.
nlohmann::json mix_segments_json(const std::vector<MixSegment>& segments);

// "1:02:03" or "2:03".
std::string clock_text(double seconds);

// HTML for the item's description: `lead` in a paragraph, then one list
// entry per segment, "0:00 in the mix: 1:02:03-1:03:10 of the episode, rant
// (0.82)", with its description and text when present.
std::string segments_description(std::string_view lead, const std::vector<MixSegment>& segments);

// The segment with the highest confidence (the longer one on a tie), as a
// soundbite in the mix's own timeline, at most 120 s (the Podcasting 2.0
// namespace's advice) and never past the mix's end. nullopt without segments.
std::optional<PodcastSoundbite> strongest_soundbite(const std::vector<MixSegment>& segments,
                                                    double mix_duration_s);

}  // namespace namix
