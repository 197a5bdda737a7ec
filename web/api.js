// Talking to the namix API served beside the page: JSON GETs and the
// message to show when one fails.
'use strict';

window.namix = window.namix || {};

(function (namix) {
  // The API answers {status:"error", error:{code, message}}; a failed job
  // carries that whole document as its `error`. Show the message it gave.
  namix.apiMessage = function apiMessage(body, httpStatus) {
    for (let doc = body, depth = 0; doc && typeof doc === 'object' && depth < 3; depth += 1) {
      const e = doc.error;
      if (typeof e === 'string' && e) return e;
      if (e && typeof e === 'object' && typeof e.message === 'string' && e.message) return e.message;
      if (doc.status === 'error' && typeof doc.message === 'string' && doc.message) return doc.message;
      doc = e;
    }
    return httpStatus ? `The server answered HTTP ${httpStatus} without an explanation.`
                      : 'The server could not be reached. Is namix serve running?';
  };

  // A server started with --api-keys wants one in x-api-key on every call
  // but the open ones. The producer types it once; this browser keeps it.
  const KEY_STORE = 'namix.apiKey';
  namix.apiKey = function apiKey() {
    try { return localStorage.getItem(KEY_STORE) || ''; } catch (err) { return ''; }
  };
  namix.setApiKey = function setApiKey(key) {
    try {
      if (key) localStorage.setItem(KEY_STORE, key); else localStorage.removeItem(KEY_STORE);
    } catch (err) { /* storage refused: the key lasts as long as the page */ }
    sessionKey = key;
    document.dispatchEvent(new CustomEvent('namix:api-key-changed'));
  };
  let sessionKey = namix.apiKey();
  namix.apiHeaders = function apiHeaders(headers) {
    return sessionKey ? { ...headers, 'x-api-key': sessionKey } : { ...headers };
  };
  // 401 (no key) and 403 (a wrong one) ask the producer for the key.
  namix.noteRefusal = function noteRefusal(httpStatus, message) {
    if (httpStatus === 401 || httpStatus === 403) {
      document.dispatchEvent(new CustomEvent('namix:api-key-refused', { detail: { message } }));
    }
  };

  // A Response's JSON body, or null; on a refusal of the key, the page asks for it.
  namix.readJson = async function readJson(response) {
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
    if (!response.ok) namix.noteRefusal(response.status, namix.apiMessage(body, response.status));
    return body;
  };

  namix.getJson = async function getJson(path) {
    let response;
    try {
      response = await fetch(path, { headers: namix.apiHeaders({ Accept: 'application/json' }) });
    } catch (err) {
      throw new Error(namix.apiMessage(null, 0));
    }
    const body = await namix.readJson(response);
    if (!response.ok) throw new Error(namix.apiMessage(body, response.status));
    return body;
  };

  // A stored file of the mix (transcript, chapters) as text; its link is
  // the one the result carries.
  namix.getText = async function getText(url) {
    let response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new Error(namix.apiMessage(null, 0));
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (err) { body = null; }
      throw new Error(namix.apiMessage(body, response.status));
    }
    return response.text();
  };
}(window.namix));
