// polarwatch network page: a small force layout in SVG over the page's same-origin JSON.
// Data: {nodes: [{id, name, kind, weight}], edges: [{source, target, kind, weight, href}]}.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 900, H = 600;

  function el(name, attrs) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  function layout(nodes, edges, steps) {
    // Fruchterman-Reingold style: pairwise repulsion, springs along edges, cooling step size.
    var k = Math.sqrt((W * H) / Math.max(nodes.length, 1)) * 0.6;
    nodes.forEach(function (n, i) {
      var a = (i / nodes.length) * 2 * Math.PI;
      n.x = W / 2 + Math.cos(a) * W / 3 * (0.5 + (i % 7) / 12);
      n.y = H / 2 + Math.sin(a) * H / 3 * (0.5 + (i % 5) / 10);
    });
    var t = W / 8;
    for (var s = 0; s < steps; s++) {
      nodes.forEach(function (n) { n.dx = 0; n.dy = 0; });
      for (var i = 0; i < nodes.length; i++) {
        for (var j = i + 1; j < nodes.length; j++) {
          var a = nodes[i], b = nodes[j], dx = a.x - b.x, dy = a.y - b.y;
          var d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = (k * k) / d;
          a.dx += dx / d * f; a.dy += dy / d * f; b.dx -= dx / d * f; b.dy -= dy / d * f;
        }
      }
      edges.forEach(function (e) {
        var dx = e.a.x - e.b.x, dy = e.a.y - e.b.y, d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01);
        var f = (d * d) / k * Math.min(1 + Math.log(1 + e.weight) / 3, 2);
        e.a.dx -= dx / d * f; e.a.dy -= dy / d * f; e.b.dx += dx / d * f; e.b.dy += dy / d * f;
      });
      nodes.forEach(function (n) {
        var d = Math.max(Math.sqrt(n.dx * n.dx + n.dy * n.dy), 0.01), step = Math.min(d, t);
        n.x = Math.min(W - 20, Math.max(20, n.x + n.dx / d * step));
        n.y = Math.min(H - 20, Math.max(20, n.y + n.dy / d * step));
      });
      t = Math.max(t * 0.97, 1);
    }
  }

  function link(text, href) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    return a;
  }

  function info(panel, node, edges) {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    var h = document.createElement("h2");
    h.appendChild(link(node.name, "/actor/" + encodeURIComponent(node.id)));
    panel.appendChild(h);
    var p = document.createElement("p");
    p.className = "sub";
    p.textContent = (node.kind || "actor") + " · weight " + node.weight;
    panel.appendChild(p);
    var ul = document.createElement("ul");
    edges.filter(function (e) { return e.a === node || e.b === node; })
      .sort(function (x, y) { return y.weight - x.weight; })
      .slice(0, 25)
      .forEach(function (e) {
        var other = e.a === node ? e.b : e.a, li = document.createElement("li");
        li.appendChild(link(other.name, "/actor/" + encodeURIComponent(other.id)));
        li.appendChild(document.createTextNode(" · " + (e.kind || "link") + " "));
        var n = link(String(e.weight), e.href || "/events?involving=" + encodeURIComponent(node.id));
        n.className = "num";
        li.appendChild(n);
        ul.appendChild(li);
      });
    panel.appendChild(ul);
  }

  function draw(svg, data) {
    var byId = {};
    var nodes = (data.nodes || []).map(function (n) {
      var m = { id: String(n.id), name: String(n.name || n.id), kind: n.kind || "", weight: Number(n.weight) || 1 };
      byId[m.id] = m;
      return m;
    });
    var edges = (data.edges || []).filter(function (e) { return byId[e.source] && byId[e.target] && e.source !== e.target; })
      .map(function (e) {
        return { a: byId[e.source], b: byId[e.target], kind: e.kind || "", weight: Number(e.weight) || 1,
                 href: typeof e.href === "string" && /^\/(?![\/\\])/.test(e.href) ? e.href : null };  // same-origin paths only
      });
    var panel = document.getElementById("node-info");
    if (!nodes.length) {
      var t = el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "tick" });
      t.textContent = data.note || "No actors linked in this selection.";
      svg.appendChild(t);
      return;
    }
    layout(nodes, edges, 260);
    var maxW = Math.max.apply(null, edges.map(function (e) { return e.weight; }).concat([1]));
    var gEdges = el("g"), gNodes = el("g");
    svg.appendChild(gEdges);
    svg.appendChild(gNodes);
    edges.forEach(function (e) {
      e.line = el("line", { "class": "edge " + e.kind, "stroke-width": String(1 + 4 * e.weight / maxW) });
      var title = el("title");
      title.textContent = e.a.name + " – " + e.b.name + ": " + e.weight + " " + e.kind;
      e.line.appendChild(title);
      gEdges.appendChild(e.line);
    });
    var maxN = Math.max.apply(null, nodes.map(function (n) { return n.weight; }));
    nodes.forEach(function (n) {
      n.g = el("g", { "class": "node " + n.kind, tabindex: "0" });
      n.g.appendChild(el("circle", { r: String(5 + 12 * Math.sqrt(n.weight / maxN)) }));
      var label = el("text", { dx: "9", dy: "4" });
      label.textContent = n.name;
      n.g.appendChild(label);
      gNodes.appendChild(n.g);
    });
    function place() {
      edges.forEach(function (e) {
        e.line.setAttribute("x1", e.a.x); e.line.setAttribute("y1", e.a.y);
        e.line.setAttribute("x2", e.b.x); e.line.setAttribute("y2", e.b.y);
      });
      nodes.forEach(function (n) { n.g.setAttribute("transform", "translate(" + n.x + "," + n.y + ")"); });
    }
    place();
    function pick(n) {
      var near = {};
      near[n.id] = true;
      edges.forEach(function (e) { if (e.a === n) { near[e.b.id] = true; } if (e.b === n) { near[e.a.id] = true; } });
      nodes.forEach(function (m) { m.g.classList.toggle("dim", !near[m.id]); m.g.classList.toggle("sel", m === n); });
      edges.forEach(function (e) { e.line.classList.toggle("dim", e.a !== n && e.b !== n); });
      if (panel) { info(panel, n, edges); }
    }
    // Dragging: pointer position in viewBox units.
    var dragging = null, moved = false;
    function point(ev) {
      var pt = svg.createSVGPoint();
      pt.x = ev.clientX; pt.y = ev.clientY;
      return pt.matrixTransform(svg.getScreenCTM().inverse());
    }
    nodes.forEach(function (n) {
      n.g.addEventListener("pointerdown", function (ev) { dragging = n; moved = false; svg.setPointerCapture(ev.pointerId); });
      n.g.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { pick(n); } });
    });
    svg.addEventListener("pointermove", function (ev) {
      if (!dragging) { return; }
      var p = point(ev);
      dragging.x = p.x; dragging.y = p.y; moved = true;
      place();
    });
    svg.addEventListener("pointerup", function () {
      if (dragging && !moved) { pick(dragging); }
      dragging = null;
    });
    var view = { x: 0, y: 0, w: W, h: H };
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = point(ev), f = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      view.x = p.x - (p.x - view.x) * f; view.y = p.y - (p.y - view.y) * f; view.w *= f; view.h *= f;
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
    }, { passive: false });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("graph");
    if (!svg) { return; }
    fetch(svg.getAttribute("data-src"), { headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("network data: HTTP " + r.status); } return r.json(); })
      .then(function (data) { draw(svg, data); svg.setAttribute("data-ready", "1"); })
      .catch(function (err) {
        var t = el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", "class": "tick" });
        t.textContent = String(err.message || err);
        svg.appendChild(t);
        svg.setAttribute("data-ready", "error");
      });
  });
}());
