// The mix's chapters: one per segment, titled by where it comes from in the
// episode and what it is ("00:41:07 donation"), and the episode's published
// chapters that start inside the mix, at their mix times. The same list goes
// into the MP3's ID3 CHAP frames and the JSON chapters file.
#pragma once

#include <string>
#include <vector>

#include "codec/mp3_encoder.h"
#include "select/edit_list.h"
#include "transcript/chapters.h"

namespace namix {

// "00:41:07 donation": the segment's source start as hh:mm:ss and its kind.
std::string segment_chapter_title(const EditSegment& segment);

// The segments' chapters (start at mix_start_s, end at the next segment's
// or the mix's end) and `published` chapters (timed to the analysed audio,
// align_chapters()) whose start the mix plays, ending where their own end
// or their segment ends. Ascending start; a published chapter sorts after a
// segment's chapter that starts at the same time.
std::vector<ChapterMark> mix_chapters(const EditList& edits,
                                      const std::vector<ChapterMark>& published);

// The chapters as ID3 CHAP frames: each ends at its end, or else where the
// next one starts (the mix's end for the last).
std::vector<Chapter> id3_chapters(const std::vector<ChapterMark>& chapters, double mix_duration_s);

}  // namespace namix
