// polarwatch dashboard: article highlights and #span-START-END anchors.
// Builds nothing from strings: only clones server-rendered (escaped) nodes and toggles classes.
(function () {
  "use strict";

  function pieces() {
    return Array.prototype.slice.call(document.querySelectorAll("#text span[data-s]"));
  }

  // Light the text between two body offsets and scroll to it: #span-120-245.
  function showAnchor() {
    var m = /^#span-(\d+)-(\d+)$/.exec(window.location.hash);
    var all = pieces();
    all.forEach(function (el) { el.classList.remove("target"); });
    if (!m) { return; }
    var start = parseInt(m[1], 10), end = parseInt(m[2], 10), first = null;
    all.forEach(function (el) {
      var s = parseInt(el.getAttribute("data-s"), 10), e = parseInt(el.getAttribute("data-e"), 10);
      if (s < end && e > start) {
        el.classList.add("target");
        if (!first) { first = el; }
      }
    });
    if (first) { first.scrollIntoView({ block: "center" }); }
  }

  // Selecting a highlight shows what was extracted there, copied from the side panel.
  function select(el) {
    var refs = (el.getAttribute("data-refs") || "").split(/\s+/).filter(Boolean);
    var box = document.getElementById("selected"), body = document.getElementById("selected-body");
    if (!box || !body) { return; }
    document.querySelectorAll(".hl.picked").forEach(function (x) { x.classList.remove("picked"); });
    document.querySelectorAll("li.ann.on").forEach(function (x) { x.classList.remove("on"); });
    el.classList.add("picked");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var list = document.createElement("ul"), seen = [];
    document.querySelectorAll("li.ann[data-ann]").forEach(function (li) {
      var own = li.getAttribute("data-ann").split(/\s+/);
      if (refs.some(function (r) { return own.indexOf(r) >= 0; }) && seen.indexOf(li) < 0) {
        seen.push(li);
        li.classList.add("on");
        var copy = li.cloneNode(true);
        copy.classList.remove("on");
        copy.removeAttribute("data-ann");
        list.appendChild(copy);
      }
    });
    body.appendChild(list);
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest(".hl[data-refs]") : null;
    if (el) { select(el); }
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.matches && ev.target.matches(".hl[data-refs]")) {
      ev.preventDefault();
      select(ev.target);
    }
  });
  window.addEventListener("hashchange", showAnchor);
  document.addEventListener("DOMContentLoaded", showAnchor);
}());
