// What every part of the page builds with: elements and clock times. Plain
// script, loaded first; the other files find these on window.namix.
'use strict';

window.namix = window.namix || {};

(function (namix) {
  // 83 -> "1:23", 3723 -> "1:02:03".
  namix.clock = function clock(seconds) {
    const total = Math.max(0, Math.round(Number(seconds) || 0));
    const h = Math.floor(total / 3600);
    const m = Math.floor(total / 60) % 60;
    const s = String(total % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  };

  // An element with properties and children (strings become text, null is skipped).
  namix.el = function el(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  };

  // Seeks the player and plays from there; a refused autoplay leaves the seek standing.
  namix.seekPlayer = function seekPlayer(player, seconds) {
    player.currentTime = Math.max(0, Number(seconds) || 0);
    const playing = player.play();
    if (playing && playing.catch) playing.catch(() => {});
  };
}(window.namix));
