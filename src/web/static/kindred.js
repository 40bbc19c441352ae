// Kindred's only script, and an optional one: every page works without it.
// Strict CSP: no inline script or style, and no data is ever put into the page as HTML
// (textContent and DOM methods only), except live replies: the server's own rendering of a
// post, parsed by DOMParser into an inert document.
// "Quote selection": select words in a post, press its Quote link, and the reply box at the
// foot of the page gets them as a Markdown quote (the same shape forum::QuoteMarkdown writes).
// Without a selection, or without this script, Quote opens the reply page with the whole post.
(function () {
  "use strict";
  var box = document.getElementById("reply-body");
  if (!box) return;
  var picked = null; // {post, text}: the last non-empty selection inside one post's text

  document.addEventListener("selectionchange", function () {
    var sel = window.getSelection();
    var text = sel ? sel.toString().trim() : "";
    if (!text || !sel.anchorNode) return; // keep the last pick: tapping Quote may clear it
    var el = sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement;
    var body = el && el.closest(".post .body");
    picked = body ? { post: body.closest(".post"), text: text } : null;
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.quote");
    if (!link) return;
    var post = link.closest(".post");
    if (!picked || picked.post !== post) return; // nothing selected here: open the reply page
    event.preventDefault();
    var lines = picked.text.replace(/\r\n?/g, "\n").split("\n");
    var quote = "> **" + post.dataset.author + "** wrote:\n>\n> " + lines.join("\n> ") + "\n\n";
    var before = box.value && !/\n\n$/.test(box.value) ? box.value.replace(/\n*$/, "\n\n") : box.value;
    box.value = before + quote;
    var replyTo = document.getElementById("reply-to");
    if (replyTo && !replyTo.value) replyTo.value = post.dataset.id;
    picked = null;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  });
})();

// Support while writing (SAFETY.md point 2): a pause in typing sends the draft to
// /api/v1/safety/check (nothing is stored), and when it may speak of suicide or self-harm the
// same calm panel as after posting appears below the box. It never blocks or delays posting:
// any failure here is silent, and the form posts as it would without this script.
// It also says whether the draft seems to hold an email address or phone number: a note shows
// under the box, and the form then carries overshare_ok=1 (the writer has seen it).
(function () {
  "use strict";
  var live = document.getElementById("support-live");
  var meta = document.querySelector('meta[name="csrf-token"]');
  var fields = document.querySelectorAll("[data-safety-check]");
  if (!live || !meta || !fields.length || !window.fetch) return;
  var kPauseMs = 800; // after typing stops: a check per pause, not per keystroke (it is rate limited)
  var kRank = { none: 0, concern: 1, crisis: 2 };
  var timer = 0, asked = 0, lastText = "", shown = "none", dismissed = "none";
  var oversharing = document.getElementById("overshare-live");

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function link(text, href, className) {
    var a = el("a", text, className);
    a.href = href;
    return a;
  }

  function panel(result) {
    var box = el("section", "", "support");
    box.setAttribute("aria-labelledby", "support-live-heading");
    var heading = el("h2", "You are not alone");
    heading.id = "support-live-heading";
    box.appendChild(heading);
    // The opening words are the community's own (admins edit them), sent with the answer.
    (result.message || []).forEach(function (paragraph) { box.appendChild(el("p", paragraph)); });
    box.appendChild(el("h3", "Talk to someone now"));
    box.appendChild(el("p", "These services are confidential. A trained person listens; you don't have to give your name."));
    var list = el("ul", "", "helplines");
    (result.resources || []).forEach(function (line) {
      var item = el("li");
      item.appendChild(el("p", line.name, "helpline-name"));
      if (line.description) item.appendChild(el("p", line.description, "hint"));
      var contacts = el("p", "", "contacts");
      (line.contacts || []).forEach(function (contact) {
        if (!/^(tel|sms|mailto|https):/.test(contact.href)) return; // one-tap links only, never script
        contacts.appendChild(link(contact.label, contact.href, "button"));
        contacts.appendChild(document.createTextNode(" "));
      });
      item.appendChild(contacts);
      list.appendChild(item);
    });
    box.appendChild(list);
    box.appendChild(el("p", "Is there someone you trust you could message now? Even a short \u201ccan we talk?\u201d is enough."));
    if (result.emergency_number) {
      var emergency = el("p", "If you might act on these thoughts or are in danger right now, call ", "emergency");
      // "112 or 999": each number one tap, the words between them text.
      result.emergency_number.split(/([0-9]+)/).forEach(function (part, i) {
        emergency.appendChild(i % 2 ? link(part, "tel:" + part) : document.createTextNode(part));
      });
      emergency.appendChild(document.createTextNode("."));
      box.appendChild(emergency);
    }
    var row = el("p", "", "row");
    var other = link("Choose another country (opens in a new tab)", "/help");
    other.target = "_blank";
    other.rel = "noopener";
    row.appendChild(other);
    var close = el("button", "Close", "quiet");
    close.type = "button";
    close.addEventListener("click", function () {
      dismissed = shown;
      show("none");
    });
    row.appendChild(close);
    box.appendChild(row);
    return box;
  }

  function overshare(on) {
    if (!oversharing || !on) return oversharing && (oversharing.textContent = "");
    if (oversharing.firstChild) return;
    oversharing.appendChild(el("p", "This seems to include an email address or a phone number. Everyone who " +
      "reads the forum can see it, and it may be hard to take back. You may want to remove it.", "notice overshare"));
    var seen = el("input");
    seen.type = "hidden";
    seen.name = "overshare_ok";
    seen.value = "1";
    oversharing.appendChild(seen);
  }

  function show(level, result) {
    if (level === shown) return; // the same panel again would only repeat itself to screen readers
    live.textContent = "";
    shown = level;
    if (level !== "none") live.appendChild(panel(result));
  }

  function check() {
    var text = Array.prototype.map.call(fields, function (field) { return field.value; }).join("\n\n").trim();
    if (text === lastText) return;
    lastText = text;
    var mine = ++asked;
    if (!text) {
      overshare(false);
      return show("none");
    }
    fetch("/api/v1/safety/check", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify({ text: text }),
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (!result || mine !== asked) return; // a newer draft is on its way
      overshare(result.contact_details === true);
      var level = kRank[result.level] ? result.level : "none";
      if (level === "none") dismissed = "none";
      // Closed by the writer: stays closed unless the words grow more worrying.
      if (level !== "none" && kRank[level] <= kRank[dismissed]) return;
      show(level, result);
    }).catch(function () {});
  }

  Array.prototype.forEach.call(fields, function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, kPauseMs);
    });
  });
})();

// Review queue: picking a message template fills the message box, unless the moderator has
// already written something of their own there. Without script, an empty box sends the template.
document.addEventListener("change", function (event) {
  "use strict";
  var select = event.target;
  var target = select.getAttribute && select.getAttribute("data-template-for");
  var box = target && document.getElementById(target);
  if (!box) return;
  var option = select.options[select.selectedIndex];
  var text = (option && option.getAttribute("data-text")) || "";
  if (box.value.trim() === "" || box.value === box.getAttribute("data-filled")) {
    box.value = text;
    box.setAttribute("data-filled", text);
  }
});

// Review queue: "posted 4 minutes ago" keeps counting while the page is open, in the same words
// as the server (core/time_format.cc), from the age the server measured (so clocks need not agree).
(function () {
  "use strict";
  var times = document.querySelectorAll("time[data-age]");
  if (!times.length) return;
  var loaded = Date.now();
  var kTickMs = 30000; // finer than the minutes shown, cheap enough to forget about
  function words(seconds) {
    function ago(n, unit) { return n + " " + unit + (n === 1 ? "" : "s") + " ago"; }
    if (seconds < 45) return "just now";
    if (seconds < 3600) return ago(Math.max(1, Math.floor(seconds / 60)), "minute");
    return ago(Math.floor(seconds / 3600), "hour");
  }
  setInterval(function () {
    Array.prototype.forEach.call(times, function (time) {
      var age = Number(time.getAttribute("data-age")) + (Date.now() - loaded) / 1000;
      if (age < 86400) time.textContent = words(age);
    });
  }, kTickMs);
})();

// "These questions may already have answers" (docs/search.md): a pause in typing the title or
// question asks /api/v1/similar, and up to 5 topics appear under the title, each opening in a new
// tab so the draft stays. Built with textContent only. Without script, the form's Preview button
// shows the same list from the server.
(function () {
  "use strict";
  var live = document.getElementById("similar-live");
  if (!live || !window.fetch) return;
  var fields = live.getAttribute("data-similar-for").split(" ").map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  var kPauseMs = 500; // a request per pause in typing, not per keystroke
  var kMinChars = 8;  // fewer letters than a short title say too little to compare
  // The opening of a question says what it is about; the whole of a long one would make a URL
  // longer than servers accept.
  var kBodyChars = 1500;
  var timer = 0, asked = 0, lastQuery = "";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function show(topics) {
    live.textContent = "";
    if (!topics.length) return;
    var box = el("section", "", "similar");
    box.setAttribute("aria-labelledby", "h-similar");
    var heading = el("h2", "These questions may already have answers");
    heading.id = "h-similar";
    box.appendChild(heading);
    box.appendChild(el("p", "They open in a new tab, so your question stays here.", "hint"));
    var list = el("ul", "", "similar-list");
    topics.forEach(function (topic) {
      var item = el("li");
      var a = el("a", topic.title);
      a.href = "/t/" + encodeURIComponent(topic.id);
      a.target = "_blank";
      a.rel = "noopener";
      a.appendChild(el("span", " (opens in a new tab)", "vh"));
      item.appendChild(a);
      item.appendChild(document.createTextNode(" "));
      var n = Number(topic.reply_count) || 0;
      item.appendChild(el("span", n + (n === 1 ? " reply" : " replies"), "meta"));
      list.appendChild(item);
    });
    box.appendChild(list);
    live.appendChild(box);
  }

  function check() {
    var title = fields[0] ? fields[0].value.trim() : "";
    var body = fields[1] ? fields[1].value.trim().slice(0, kBodyChars) : "";
    if (title.length + body.length < kMinChars) return;
    var query = "title=" + encodeURIComponent(title) + "&body=" + encodeURIComponent(body);
    if (query === lastQuery) return;
    lastQuery = query;
    var mine = ++asked;
    fetch("/api/v1/similar?" + query, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (!result || mine !== asked) return; // a newer draft is on its way
      show((result.topics || []).slice(0, 5));
    }).catch(function () {});
  }

  fields.forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, kPauseMs);
    });
  });
})();

// Live replies (GET /t/{id}/events) on a topic's last page, from where it was rendered
// (data-live-after); EventSource resumes after its last id itself. Focus and scroll are left be.
(function () {
  "use strict";
  var posts = document.getElementById("posts");
  var status = document.getElementById("live-status");
  if (!posts || !status || !window.EventSource || !window.DOMParser) return;
  var parser = new DOMParser();
  var source = new EventSource(location.pathname + "/events?last_event_id=" + posts.dataset.liveAfter);

  function on(name, handle) {
    source.addEventListener(name, function (event) {
      var post;
      try { post = JSON.parse(event.data); } catch (e) { return; }
      var doc = parser.parseFromString(post.html, "text/html").querySelector("body > article.post");
      var old = posts.querySelector('article.post[data-id="' + Number(post.id) + '"]');
      if (doc) handle(post, document.importNode(doc, true), old);
    });
  }
  function announce(text) {
    status.textContent = ""; // so the same words twice are announced twice
    setTimeout(function () { status.textContent = text; }, 100);
  }
  on("reply", function (post, fresh, old) {
    if (old) return;
    posts.appendChild(fresh);
    announce("New reply from " + post.author);
  });
  // An edit keeps the reader's reaction buttons: all but the footer changes (text, fold, notes),
  // unless the reader is in the middle of it.
  on("edit", function (post, fresh, old) {
    var keep = old && old.querySelector(":scope > footer");
    if (!keep || old.contains(document.activeElement) && !keep.contains(document.activeElement)) return;
    while (old.firstChild !== keep) old.firstChild.remove();
    while (fresh.firstChild && fresh.firstChild.tagName !== "FOOTER") old.insertBefore(fresh.firstChild, keep);
  });
  // Hidden meanwhile: readers get the placeholder, its writer the note.
  on("hide", function (post, fresh, old) {
    if (old) old.replaceWith(fresh);
  });
  on("delete", function (post, fresh, old) {
    if (old) old.replaceWith(fresh);
  });
  // Away too long to catch up: offer a reload.
  source.addEventListener("reset", function () {
    source.close();
    var note = document.createElement("p");
    var link = document.createElement("a");
    note.className = "notice";
    note.textContent = "There may be new replies. ";
    link.href = location.pathname + location.search;
    link.textContent = "Reload to see them";
    note.appendChild(link);
    posts.after(note);
    announce(note.textContent);
  });
})();
