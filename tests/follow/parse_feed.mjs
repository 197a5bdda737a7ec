// Reads a podcast feed (RSS XML on stdin) with rss-parser, a podcast feed
// parser from npm, and prints what it made of it as JSON, or exits 1 with
// its error. The follow tests hold namix's published feeds to it.
import Parser from "rss-parser";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const parser = new Parser({
  customFields: {
    feed: ["podcast:guid", "atom:link"],
    item: [["podcast:transcript", "transcripts", { keepArray: true }], "podcast:chapters",
           "podcast:soundbite", "itunes:duration"],
  },
});
try {
  const feed = await parser.parseString(Buffer.concat(chunks).toString("utf8"));
  process.stdout.write(JSON.stringify(feed));
} catch (error) {
  process.stderr.write(`rss-parser: ${error.message}\n`);
  process.exit(1);
}
