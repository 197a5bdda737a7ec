// The header's "API key" box: opens by itself when the server refuses a
// call for want of a key (or a wrong one), and keeps the key typed in for
// every later call (api.js sends it).
'use strict';

(function (namix) {
  const box = document.getElementById('api-key-box');
  const form = document.getElementById('api-key-form');
  const input = document.getElementById('api-key');
  const reason = document.getElementById('api-key-reason');
  const status = document.getElementById('api-key-status');

  function describe() {
    status.textContent = namix.apiKey() ? 'A key is set for this server.' : 'No key is set.';
  }

  document.addEventListener('namix:api-key-refused', (ev) => {
    reason.textContent = `${ev.detail.message} Enter the key here.`;
    reason.hidden = false;
    if (!box.open) {
      box.open = true;
      input.focus();
    }
  });

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    reason.hidden = true;
    namix.setApiKey(input.value.trim());
    input.value = '';
    describe();
  });

  describe();
}(window.namix));
