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

  namix.getJson = async function getJson(path) {
    let response;
    try {
      response = await fetch(path, { headers: { Accept: 'application/json' } });
    } catch (err) {
      throw new Error(namix.apiMessage(null, 0));
    }
    let body = null;
    try { body = await response.json(); } catch (err) { body = null; }
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
