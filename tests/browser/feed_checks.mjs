// The browser test's feed picker: a fixture feed in the shapes real ones
// take, whose newest episode publishes the fixture's WebVTT transcript,
// listed, picked and mixed through the page by the real service.

// An RSS 2.0 feed in the shape real ones take: iTunes and Podcasting 2.0
// namespaces, CDATA description, a relative enclosure URL.
export function fixtureFeed(base) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"
     xmlns:podcast="https://podcastindex.org/namespace/1.0">
<channel>
  <title>Fixture Show</title>
  <link>${base}/</link>
  <description>Two hosts and the news.</description>
  <item>
    <title>The one with the words</title>
    <guid isPermaLink="false">fixture-101</guid>
    <pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>
    <itunes:episode>101</itunes:episode>
    <itunes:duration>00:01:10</itunes:duration>
    <description><![CDATA[<p>News, producers and a committee.</p>]]></description>
    <enclosure url="episode-100.mp3" length="1100000" type="audio/mpeg"/>
    <podcast:transcript url="${base}/episode-100.vtt" type="text/vtt"/>
  </item>
  <item>
    <title>The one with chapters</title>
    <guid isPermaLink="false">fixture-100</guid>
    <pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>
    <itunes:episode>100</itunes:episode>
    <itunes:duration>3725</itunes:duration>
    <enclosure url="${base}/episode-100.mp3" length="1100000" type="audio/mpeg"/>
    <podcast:chapters url="${base}/episode-100.chapters.json" type="application/json+chapters"/>
  </item>
  <item>
    <title>The one with nothing</title>
    <guid isPermaLink="false">fixture-99</guid>
    <pubDate>Tue, 17 Nov 2026 10:00:00 GMT</pubDate>
    <enclosure url="${base}/episode-100.mp3" length="1100000" type="audio/mpeg"/>
  </item>
</channel>
</rss>
`;
}

// Lists the feed on the page, compares the list with GET /feed, picks the
// newest episode and mixes it; returns the result.
export async function pickAndMixFromFeed({ page, base, feedUrl, assert, waitForResult }) {
  await page.fill('#episode-url', '');
  await page.fill('#feed-url', feedUrl);
  await page.click('#feed-list');
  await page.waitForSelector('#feed-items li', { timeout: 30_000 });
  const listing = await (await fetch(`${base}/feed?url=${encodeURIComponent(feedUrl)}`)).json();
  const rows = await page.$$eval('#feed-items li', (els) => els.map((li) => ({
    title: li.querySelector('.feed-item-title').textContent,
    facts: li.querySelector('.feed-item-facts').textContent,
    transcript: !!li.querySelector('.badge-transcript'),
    chapters: !!li.querySelector('.badge-chapters'),
  })));
  assert(rows.length === listing.items.length && rows.length === 3, `${rows.length} episodes listed, GET /feed has ${listing.items.length}`);
  const want = [
    { title: 'The one with the words', facts: '#101 · 2026-12-01 · 1:10', transcript: true, chapters: false },
    { title: 'The one with chapters', facts: '#100 · 2026-11-24 · 1:02:05', transcript: false, chapters: true },
    { title: 'The one with nothing', facts: '2026-11-17', transcript: false, chapters: false },
  ];
  rows.forEach((row, i) => {
    assert(JSON.stringify(row) === JSON.stringify(want[i]), `episode ${i + 1} listed as ${JSON.stringify(row)}, want ${JSON.stringify(want[i])}`);
  });
  await page.check('#feed-items input[value="fixture-101"]');
  assert((await page.textContent('#feed-chosen')).includes('The one with the words'), 'the picked episode is not named');
  await page.check('input[name="duration"][value="30"]');
  const result = await waitForResult(() => page.click('#submit-mix'));
  assert(result.source && result.source.feed_url === feedUrl, `the mix's source is ${JSON.stringify(result.source)}`);
  assert(result.downloads && result.downloads.transcript_vtt, 'the mix of an episode with a transcript has no transcript link');
  return result;
}


export function fixtureChapters(cues) {
  return JSON.stringify({ version: '1.2.0', chapters: cues.filter((c, i) => i % 4 === 0)
    .map((c, i) => ({ startTime: Math.round(c.start_s * 10) / 10, title: `Part ${i + 1}` })) });
}

