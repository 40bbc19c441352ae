// Kindred's only script, and an optional one: every page works without it.
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
