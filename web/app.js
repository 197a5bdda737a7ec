// The namix page: submits a mix job to the API served beside it, follows
// its progress and shows the result, which stays at its own address
// (?mix=EPISODE/THEME/ID) to reopen or share. Plain scripts, no build step:
// markup.js and api.js first, then the views (history_view.js,
// chapter_timeline.js, transcript_view.js, feed_picker.js), then this one.
// uPlot (web/node_modules, installed by `npm ci`) draws the loudness curve
// when present, and the page works without it.
'use strict';

(function (namix) {
  const { el, clock, apiMessage, getJson } = namix;
  const POLL_MS = 500;
  // Same colours as src/mix/episode_plot.cc (Okabe-Ito, safe for colour-blind readers).
  const KIND_COLOURS = {
    banter: '#0072B2', rant: '#D55E00', clip: '#E69F00', donation: '#009E73',
    jingle: '#CC79A7', music: '#56B4E9', silence: '#BBBBBB',
  };
  const FLOOR_DB = -70;

  const $ = (id) => document.getElementById(id);
  const form = $('mix-form');
  const urlInput = $('episode-url');
  const fileInput = $('episode-file');
  const dropZone = $('drop-zone');
  const submitButton = $('submit-mix');
  const formError = $('form-error');
  const player = $('player');

  let plot = null;        // the uPlot instance, if any
  let busy = false;

  // ---- formatting -------------------------------------------------------
  function fixed(value, digits) {
    const n = Number(value);
    return Number.isFinite(n) ? n.toFixed(digits) : '–';
  }
  function kindColour(kind) { return KIND_COLOURS[kind] || '#777777'; }
  function rgba(hex, alpha) {
    const v = parseInt(hex.slice(1), 16);
    return `rgba(${(v >> 16) & 255}, ${(v >> 8) & 255}, ${v & 255}, ${alpha})`;
  }

  // ---- errors -----------------------------------------------------------
  function showError(box, message) {
    box.textContent = message;
    box.hidden = false;
  }
  function clearError(box) {
    box.textContent = '';
    box.hidden = true;
  }

  // XMLHttpRequest rather than fetch: only it reports upload progress.
  function postJob(body, onUploadProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', 'mix/jobs');
      for (const [name, value] of Object.entries(namix.apiHeaders({ Accept: 'application/json' }))) {
        xhr.setRequestHeader(name, value);
      }
      xhr.responseType = 'text';
      if (onUploadProgress) {
        xhr.upload.addEventListener('progress', (ev) => {
          if (ev.lengthComputable) onUploadProgress(ev.loaded / ev.total);
        });
        xhr.upload.addEventListener('load', () => onUploadProgress(1));
      }
      xhr.addEventListener('load', () => {
        let parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (err) { parsed = null; }
        if (xhr.status >= 200 && xhr.status < 300 && parsed && parsed.job_id) {
          resolve(parsed);
        } else {
          namix.noteRefusal(xhr.status, apiMessage(parsed, xhr.status));
          reject(new Error(apiMessage(parsed, xhr.status)));
        }
      });
      xhr.addEventListener('error', () => reject(new Error(apiMessage(null, 0))));
      xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
      if (body instanceof FormData) {
        xhr.send(body);
      } else {
        xhr.setRequestHeader('Content-Type', 'application/json');
        xhr.send(JSON.stringify(body));
      }
    });
  }

  // ---- themes -----------------------------------------------------------
  async function loadThemes() {
    const box = $('themes');
    const status = $('themes-status');
    try {
      const body = await getJson('mix/themes');
      const themes = (body && body.themes) || [];
      box.replaceChildren();
      themes.forEach((theme, i) => {
        const id = `theme-${theme.slug || i}`;
        const input = el('input', { type: 'radio', name: 'theme', id, value: theme.name,
                                    checked: i === 0 });
        input.setAttribute('aria-describedby', `${id}-desc`);
        const label = el('label', { htmlFor: id, className: 'theme-card' },
          input,
          el('span', { className: 'theme-name' }, theme.name),
          el('span', { className: 'theme-desc', id: `${id}-desc` }, theme.description || ''),
          theme.processing_chain
            ? el('span', { className: 'theme-chain' }, theme.processing_chain) : null);
        box.append(label);
      });
      status.textContent = themes.length ? '' : 'The server has no themes loaded.';
      status.hidden = themes.length > 0;
    } catch (err) {
      status.hidden = false;
      status.textContent = `Themes could not be loaded: ${err.message}`;
      status.classList.add('error-text');
    }
  }

  // ---- episode source: URL, dropped file or an episode of a feed --------
  let feedChoice = null;  // {feed_url, item, title} while an episode of a feed is picked
  const feedPicker = namix.createFeedPicker({
    urlInput: $('feed-url'), button: $('feed-list'), list: $('feed-items'), status: $('feed-status'),
    onPick: (choice) => {
      feedChoice = choice;
      if (choice) urlInput.value = '';
      $('feed-chosen').textContent = choice ? `Chosen: ${choice.title}` : '';
    },
  });
  urlInput.addEventListener('input', () => {
    if (urlInput.value.trim() && feedChoice) {
      feedPicker.unpick();
      feedChoice = null;
      $('feed-chosen').textContent = '';
    }
  });
  function updateFileChosen() {
    const file = fileInput.files && fileInput.files[0];
    $('file-chosen').textContent = file
      ? `Chosen: ${file.name} (${(file.size / 1048576).toFixed(1)} MB)` : '';
    $('clear-file').hidden = !file;
    dropZone.classList.toggle('has-file', !!file);
  }
  fileInput.addEventListener('change', updateFileChosen);
  $('clear-file').addEventListener('click', () => {
    fileInput.value = '';
    updateFileChosen();
    fileInput.focus();
  });
  ['dragenter', 'dragover'].forEach((type) => dropZone.addEventListener(type, (ev) => {
    ev.preventDefault();
    dropZone.classList.add('dragging');
  }));
  ['dragleave', 'drop'].forEach((type) => dropZone.addEventListener(type, () => {
    dropZone.classList.remove('dragging');
  }));
  dropZone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    if (ev.dataTransfer && ev.dataTransfer.files.length) {
      fileInput.files = ev.dataTransfer.files;
      updateFileChosen();
    }
  });

  // ---- duration ---------------------------------------------------------
  const customSeconds = $('duration-seconds');
  customSeconds.addEventListener('input', () => { $('duration-custom').checked = true; });
  function chosenDuration() {
    const picked = form.querySelector('input[name="duration"]:checked');
    const value = picked ? picked.value : '90';
    if (value === 'full') return 'full';
    if (value === 'custom') {
      const raw = customSeconds.value.trim();
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || n <= 0) {
        throw new Error('Enter the other duration as a number of seconds greater than 0, or pick a preset.');
      }
      return n;
    }
    return Number(value);
  }

  // ---- progress ---------------------------------------------------------
  function setProgress(which, fraction) {
    const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    $(`${which}-progress`).value = pct;
    $(`${which}-percent`).textContent = `${pct} %`;
  }
  function setStage(text) { $('job-stage').textContent = text; }

  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  async function followJob(jobId) {
    let misses = 0;
    for (;;) {
      let job;
      try {
        job = await getJson(`mix/jobs/${encodeURIComponent(jobId)}`);
        misses = 0;
      } catch (err) {
        // A lost poll is not a failed job; give up only when the server stays away.
        if (++misses >= 10) throw err;
        await sleep(POLL_MS * 2);
        continue;
      }
      const progress = Number(job.progress) || 0;
      if (job.state === 'done') {
        setProgress('job', 1);
        setStage('done');
        return job.result;
      }
      if (job.state === 'failed') {
        setStage('failed');
        throw new Error(job.error ? apiMessage(job, 0)
                                  : 'The mix failed and the server gave no reason; see its log.');
      }
      setProgress('job', progress);
      setStage(job.state === 'queued' ? 'queued' : (job.stage || job.state || 'running'));
      await sleep(POLL_MS);
    }
  }

  // ---- submit -----------------------------------------------------------
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (busy) return;
    clearError(formError);

    let duration;
    try {
      duration = chosenDuration();
    } catch (err) {
      showError(formError, err.message);
      customSeconds.focus();
      return;
    }
    const themeInput = form.querySelector('input[name="theme"]:checked');
    const theme = themeInput ? themeInput.value : '';
    const qualityInput = form.querySelector('input[name="mp3_quality"]:checked');
    const mp3Quality = qualityInput ? Number(qualityInput.value) : 3;
    const file = fileInput.files && fileInput.files[0];
    const url = urlInput.value.trim();
    if (!file && !url && !feedChoice) {
      showError(formError, 'Paste an episode URL, choose a file to upload, or pick an episode of a feed.');
      urlInput.focus();
      return;
    }

    let body;
    if (file) {
      body = new FormData();
      body.append('file', file, file.name);
      body.append('theme', theme);
      body.append('target_duration', String(duration));
      body.append('mp3_quality', String(mp3Quality));
    } else if (feedChoice && !url) {
      body = { feed_url: feedChoice.feed_url, item: feedChoice.item, theme,
               target_duration: duration, mp3_quality: mp3Quality };
    } else {
      body = { episode_url: url, theme, target_duration: duration, mp3_quality: mp3Quality };
    }

    busy = true;
    submitButton.disabled = true;
    submitButton.textContent = 'Mixing…';
    form.setAttribute('aria-busy', 'true');
    $('progress-section').hidden = false;
    $('upload-row').hidden = !file;
    setProgress('upload', 0);
    setProgress('job', 0);
    setStage(file ? 'uploading' : 'submitting');

    try {
      const accepted = await postJob(body, file ? (f) => setProgress('upload', f) : null);
      setStage('queued');
      const result = await followJob(accepted.job_id);
      const path = namix.mixPath(result);
      if (path) window.history.pushState({ mix: path }, '', namix.mixAddress(path));
      showResult(result);
      historyView.load();
    } catch (err) {
      showError(formError, err.message);
      $('progress-section').hidden = true;
    } finally {
      busy = false;
      submitButton.disabled = false;
      submitButton.textContent = 'Make the mix';
      form.removeAttribute('aria-busy');
    }
  });

  // ---- result -----------------------------------------------------------
  const chapterTimeline = namix.createChapterTimeline({
    box: $('chapter-timeline'), track: $('chapter-track'), now: $('chapter-now'), player });
  const transcriptView = namix.createTranscriptView({
    section: $('transcript-section'), box: $('transcript-box'), list: $('transcript'),
    status: $('transcript-status'), player });
  let showing = 0;  // a later showResult() wins over an earlier one still fetching

  function showResult(result) {
    const mine = ++showing;
    const meta = result.mix_metadata || {};
    const analysis = result.analysis || {};
    const timings = result.timings_ms || {};
    const section = $('result-section');
    section.hidden = false;

    $('result-message').textContent = result.message || '';
    const url = result.download && result.download.url;
    player.src = url || '';
    player.load();
    const link = $('download-link');
    link.href = url || '#';
    link.hidden = !url;
    const path = namix.mixPath(result);
    const share = $('share-link');
    share.href = path ? namix.mixAddress(path) : '#';
    share.hidden = !path;
    $('result-error').hidden = true;

    chapterTimeline.clear();
    namix.loadChapters(result).then(({ chapters, note }) => {
      if (mine !== showing) return;
      chapterTimeline.show(chapters, Number(meta.duration_actual) || 0);
      if (note) $('chapter-now').textContent = note;
    });
    transcriptView.load(result);

    const target = meta.duration_target;
    const figures = [
      ['Theme', meta.theme || '–'],
      ['Duration', `${clock(meta.duration_actual)}` +
        (target === 'full' || target === null || target === undefined
          ? ' (full episode)' : ` (target ${clock(target)})`)],
      ['Loudness', `${fixed(meta.integrated_lufs, 1)} LUFS`],
      ['True peak', `${fixed(meta.true_peak_dbtp, 1)} dBTP`],
      ['Size', `${fixed(meta.file_size_mb, 2)} MB, ${meta.bitrate_kbps || '–'} kbps, LAME -q ${meta.mp3_quality ?? '–'}`],
      ['Processing time', `${fixed((Number(timings.total) || 0) / 1000, 1)} s`],
      ['Segments', String(meta.segments_count ?? (result.segments || []).length)],
      ['Episode length', clock(analysis.audio_duration)],
    ];
    const source = result.source;
    if (source && (source.title || source.episode)) {
      figures.unshift(['Episode', `${source.episode ? `#${source.episode} ` : ''}${source.title || ''}`.trim()]);
    }
    $('figures').replaceChildren(...figures.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, v))));

    $('selection-method').textContent = analysis.selection_method
      ? `How the segments were chosen: ${analysis.selection_method}` : '';
    const warnings = result.warnings || [];
    $('warnings').replaceChildren(...warnings.map((w) => el('li', {}, w)));
    $('warnings').hidden = warnings.length === 0;

    drawEpisode(result);
    listSegments(result.segments || []);
    $('result-heading').focus({ preventScroll: true });
    section.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  function seekMix(seconds) { namix.seekPlayer(player, seconds); }

  function segmentLabel(seg, i) {
    return `Segment ${i + 1}: ${seg.kind || 'segment'} from ${clock(seg.start_time)} to ` +
      `${clock(seg.end_time)} in the episode, at ${clock(seg.mix_start)} in the mix`;
  }

  function listSegments(segments) {
    $('segment-list').replaceChildren(...segments.map((seg, i) => {
      const button = el('button', { type: 'button', className: 'secondary' },
        `Play at ${clock(seg.mix_start)}`);
      button.setAttribute('aria-label', `Play ${segmentLabel(seg, i)}`);
      button.addEventListener('click', () => seekMix(seg.mix_start));
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = kindColour(seg.kind);
      return el('li', {},
        swatch,
        el('span', { className: 'seg-kind' }, seg.kind || ''),
        el('span', { className: 'seg-time' },
          ` ${clock(seg.start_time)}–${clock(seg.end_time)} `),
        seg.description ? el('span', { className: 'seg-desc' }, seg.description) : null,
        button);
    }));
  }

  // ---- the episode picture ----------------------------------------------
  function plotHeight() { return window.innerWidth < 600 ? 170 : 240; }

  function drawEpisode(result) {
    const box = $('episode-plot');
    if (plot) { plot.destroy(); plot = null; }
    box.replaceChildren();

    const analysis = result.analysis || {};
    const segments = result.segments || [];
    const blocks = analysis.blocks || [];
    const timeline = analysis.timeline || null;
    const levels = (timeline && timeline.level_db) || [];
    const step = (timeline && Number(timeline.step_s)) || 0;
    let duration = Number(analysis.audio_duration) || 0;
    if (!duration && step) duration = levels.length * step;
    for (const b of blocks) duration = Math.max(duration, Number(b.end) || 0);
    for (const s of segments) duration = Math.max(duration, Number(s.end_time) || 0);
    if (!duration) duration = 1;

    let overlay;
    if (window.uPlot && levels.length) {
      // level_db[i] covers [i * step, (i + 1) * step): drawn at its middle.
      const xs = levels.map((_, i) => (i + 0.5) * step);
      const ys = levels.map((v) => (v === null ? null : Math.max(FLOOR_DB, Number(v))));
      plot = new window.uPlot({
        width: Math.max(240, box.clientWidth),
        height: plotHeight(),
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false, range: [0, duration] }, y: { range: [FLOOR_DB, 0] } },
        axes: [
          // Clock-friendly tick steps (1 s .. 1 h) rather than decimal ones.
          { values: (u, ticks) => ticks.map(clock), space: 60,
            incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200] },
          { label: 'level dB', size: 48, values: (u, ticks) => ticks.map((t) => String(t)) },
        ],
        series: [
          {},
          { label: 'loudness', stroke: '#222', width: 1, fill: 'rgba(40,40,40,0.12)',
            points: { show: false } },
        ],
      }, [xs, ys], box);
      // The overlay spans exactly the plotting area, so percentages of the
      // episode's duration place blocks and segments without any maths on resize.
      overlay = plot.over;
    } else {
      overlay = el('div', { className: 'plain-plot' });
      overlay.style.height = `${plotHeight() - 30}px`;
      box.append(overlay);
      if (!levels.length) {
        box.append(el('p', { className: 'hint' }, 'No loudness timeline in this result.'));
      }
    }
    overlay.classList.add('plot-overlay');

    const pct = (t) => `${(100 * Math.min(Math.max(Number(t) || 0, 0), duration)) / duration}%`;
    const width = (a, b) => `${(100 * Math.max(0, Math.min(b, duration) - Math.max(a, 0))) / duration}%`;

    for (const b of blocks) {
      const div = el('div', { className: `plot-block block-${b.kind}`,
                              title: `${b.kind} ${clock(b.start)}–${clock(b.end)}` });
      div.style.left = pct(b.start);
      div.style.width = width(Number(b.start), Number(b.end));
      div.style.background = rgba(kindColour(b.kind), 0.08);
      div.style.borderBottomColor = kindColour(b.kind);
      div.setAttribute('aria-hidden', 'true');
      overlay.append(div);
    }
    segments.forEach((seg, i) => {
      const button = el('button', { type: 'button', className: 'plot-segment',
                                    title: segmentLabel(seg, i) });
      button.setAttribute('aria-label', `Play ${segmentLabel(seg, i)}`);
      button.dataset.mixStart = String(seg.mix_start);
      button.style.left = pct(seg.start_time);
      button.style.width = width(Number(seg.start_time), Number(seg.end_time));
      button.style.borderColor = kindColour(seg.kind);
      button.append(el('span', { className: 'plot-segment-number' }, String(i + 1)));
      button.addEventListener('click', (ev) => {
        ev.stopPropagation();
        seekMix(seg.mix_start);
      });
      overlay.append(button);
    });

    const kinds = [...new Set(blocks.map((b) => b.kind))];
    $('plot-legend').replaceChildren(
      ...kinds.map((k) => {
        const sw = el('span', { className: 'swatch' });
        sw.style.background = kindColour(k);
        return el('li', {}, sw, k);
      }),
      segments.length ? el('li', {}, el('span', { className: 'swatch swatch-segment' }),
        'chosen segment') : null);
  }

  window.addEventListener('resize', () => {
    if (plot) plot.setSize({ width: Math.max(240, $('episode-plot').clientWidth), height: plotHeight() });
  });

  // ---- history and the mix's own address ------------------------------
  const historyView = namix.createHistoryView({
    list: $('history'), errorBox: $('history-error'), empty: $('history-empty'),
    onOpen: (path, result) => {
      window.history.pushState({ mix: path }, '', namix.mixAddress(path));
      showResult(result);
    },
  });
  $('history-refresh').addEventListener('click', historyView.load);
  document.addEventListener('namix:api-key-changed', historyView.load);

  // The mix named in the address (?mix=EPISODE/THEME/ID), from the service.
  async function openAddressedMix() {
    const path = namix.mixPathInAddress(window.location.search);
    if (!path) return;
    const mine = ++showing;
    try {
      const result = await getJson(`mix/history/${path.split('/').map(encodeURIComponent).join('/')}`);
      if (mine === showing) showResult(result);
    } catch (err) {
      if (mine !== showing) return;
      $('result-section').hidden = true;
      showError($('result-error'), `The mix in this address could not be opened: ${err.message}`);
    }
  }
  window.addEventListener('popstate', openAddressedMix);

  $('result-heading').tabIndex = -1;
  loadThemes();
  historyView.load();
  openAddressedMix();
}(window.namix));
