// A live story's first page asks its update endpoint for new entries every few
// seconds (articles/views_live.py). The request revalidates the browser's copy
// (If-None-Match): while nothing changed the server, or an edge cache in front,
// answers 304 Not Modified. New entries are offered with a button ("3 new
// updates") instead of being pushed in above what the reader is reading; edited
// entries are changed in place; a closed coverage says so and stops asking.
(function () {
  "use strict";

  const section = document.querySelector(".live[data-poll-url]");
  if (!section || !window.fetch) return;
  const url = section.dataset.pollUrl;
  const every = Math.max(1, Number(section.dataset.pollSeconds) || 10) * 1000;
  const stream = section.querySelector("[data-live-stream]");
  const button = section.querySelector(".live-new__button");
  let pending = []; // entries not yet shown, newest first
  let gap = false; // more new entries than the endpoint returns: the button reloads
  let lastBody = "";
  let timer = null;

  function shownIds() {
    return new Set(
      Array.from(section.querySelectorAll("[data-entry-id]"), (node) => node.dataset.entryId)
    );
  }

  function fromHtml(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function offer() {
    if (!pending.length) {
      button.hidden = true;
      return;
    }
    const count = pending.length + (gap ? "+" : "");
    button.textContent = `${count} new update${pending.length === 1 && !gap ? "" : "s"}`;
    button.hidden = false;
  }

  function showPending() {
    if (gap) {
      window.location.reload();
      return;
    }
    const empty = stream.querySelector(".live-empty");
    if (empty) empty.remove();
    // pending is newest first: insert the oldest first, each at the top.
    for (const entry of pending.slice().reverse()) {
      stream.prepend(fromHtml(entry.html));
    }
    pending = [];
    offer();
    const first = stream.querySelector("[data-entry-id]");
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
    }
  }

  function closed() {
    const status = document.getElementById("live-status");
    if (status) {
      status.className = "live-status live-status--ended";
      status.textContent = "This live coverage has ended.";
    }
    window.clearInterval(timer);
    timer = null;
  }

  function apply(data) {
    // Entries come newest first: those above the first one already shown are new.
    const ids = shownIds();
    const fresh = [];
    for (const entry of data.entries) {
      if (ids.has(String(entry.id))) break;
      fresh.push(entry);
    }
    pending = fresh;
    gap = fresh.length > 0 && fresh.length === data.entries.length && data.more;
    // Entries on the page that were edited since it loaded.
    for (const entry of data.entries) {
      const node = section.querySelector(`[data-entry-id="${entry.id}"]`);
      if (node && node.dataset.version !== String(entry.version)) {
        node.replaceWith(fromHtml(entry.html));
      }
    }
    offer();
    if (!data.open) closed();
  }

  async function poll() {
    if (document.visibilityState === "hidden") return;
    try {
      // "no-cache": always revalidate the stored copy, so a 304 answers
      // when nothing is new.
      const response = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.text();
      if (body === lastBody) return; // the browser's copy, revalidated
      lastBody = body;
      apply(JSON.parse(body));
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    }
  }

  button.addEventListener("click", showPending);
  timer = window.setInterval(poll, every);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && timer) poll();
  });
})();
