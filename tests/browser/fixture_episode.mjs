// The browser test's fixture episode, made here with espeak-ng and lame:
// two hosts (voices a fifth apart, the second 6 dB quieter, like the
// reference show's hosts) taking turns with 0.5-1.4 s pauses; ~70 s. Its
// WebVTT transcript comes from the same lines and the times they were
// placed at, so it is exactly what the episode says.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const LINES = [
  ['a', 'Welcome back to the show. This is episode one hundred, and we have a lot to get through today.'],
  ['b', 'We certainly do. The news this week was full of the usual nonsense.'],
  ['a', 'Let me start with the media. Every single network ran the same story, word for word, on the same morning.'],
  ['b', 'Same words, same order. You have to wonder who writes these things.'],
  ['a', 'I will tell you who writes them. Nobody does. It comes down from above and they simply read it out.'],
  ['b', 'Now before we go on, we need to thank our producers.'],
  ['a', 'Yes. Thank you to everyone who supported this episode. You make the show possible.'],
  ['b', 'A special thanks to our executive producers this week. You know who you are.'],
  ['a', 'And now back to the story. The committee met again on Tuesday and decided absolutely nothing.'],
  ['b', 'Nothing at all? That seems to be their specialty.'],
  ['a', 'Three hours of talking, a press conference, and a report that nobody will ever read. Incredible.'],
  ['b', 'That is all the time we have today. Thanks for listening, and see you on Sunday.'],
];
const VOICES = { a: ['-v', 'en-us+m3', '-p', '40', '-s', '165'], b: ['-v', 'en-gb+m1', '-p', '60', '-s', '175', '-a', '90'] };
export const SPEAKERS = { a: 'Alex Host', b: 'Bo Cohost' };

function readWavPcm(file) {
  const buf = fs.readFileSync(file);
  let offset = 12;
  let format = null;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = { channels: buf.readUInt16LE(offset + 10), rate: buf.readUInt32LE(offset + 12), bits: buf.readUInt16LE(offset + 22) };
    } else if (id === 'data') {
      // espeak-ng may leave the data size at its streaming placeholder.
      const end = Math.min(buf.length, offset + 8 + size);
      return { format, pcm: buf.subarray(offset + 8, end) };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

function vttTime(seconds) {
  const ms = Math.round(seconds * 1000);
  const h = String(Math.floor(ms / 3600000)).padStart(2, '0');
  const m = String(Math.floor(ms / 60000) % 60).padStart(2, '0');
  const s = String(Math.floor(ms / 1000) % 60).padStart(2, '0');
  return `${h}:${m}:${s}.${String(ms % 1000).padStart(3, '0')}`;
}

// {mp3, seconds, cues: [{start_s, end_s, speaker, text}], vtt}
export function makeEpisode(dir) {
  const parts = [];
  const cues = [];
  let format = null;
  let at_s = 0;
  LINES.forEach(([who, text], i) => {
    const wav = path.join(dir, `line${i}.wav`);
    const run = spawnSync('espeak-ng', [...VOICES[who], '-w', wav, text]);
    if (run.status !== 0) throw new Error(`espeak-ng failed: ${run.stderr}`);
    const { format: f, pcm } = readWavPcm(wav);
    format = f;
    const bytesPerSecond = f.rate * f.channels * (f.bits / 8);
    parts.push(pcm);
    cues.push({ start_s: at_s, end_s: at_s + pcm.length / bytesPerSecond, speaker: SPEAKERS[who], text });
    at_s += pcm.length / bytesPerSecond;
    const pause_s = 0.5 + ((i * 7) % 10) / 10;  // 0.5..1.4 s, deterministic
    const pause = Buffer.alloc(Math.round(pause_s * f.rate) * f.channels * (f.bits / 8));
    parts.push(pause);
    at_s += pause.length / bytesPerSecond;
  });
  const pcm = Buffer.concat(parts);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + pcm.length, 4); header.write('WAVE', 8);
  header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20);
  header.writeUInt16LE(format.channels, 22); header.writeUInt32LE(format.rate, 24);
  header.writeUInt32LE(format.rate * format.channels * format.bits / 8, 28);
  header.writeUInt16LE(format.channels * format.bits / 8, 32); header.writeUInt16LE(format.bits, 34);
  header.write('data', 36); header.writeUInt32LE(pcm.length, 40);
  const wav = path.join(dir, 'episode.wav');
  fs.writeFileSync(wav, Buffer.concat([header, pcm]));
  const mp3 = path.join(dir, 'episode-100.mp3');
  const lame = spawnSync('lame', ['--quiet', '--resample', '44.1', '-b', '128', wav, mp3]);
  if (lame.status !== 0) throw new Error(`lame failed: ${lame.stderr}`);
  const seconds = pcm.length / (format.rate * format.channels * format.bits / 8);
  const vtt = ['WEBVTT', '', ...cues.flatMap((c) => [
    `${vttTime(c.start_s)} --> ${vttTime(c.end_s)}`, `<v ${c.speaker}>${c.text}</v>`, ''])].join('\n');
  return { mp3, seconds, cues, vtt };
}
