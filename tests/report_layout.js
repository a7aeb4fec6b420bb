// The report's layout as a reader sees it, for tests/test_report.py: the boxes of the charts,
// which of them overlap, and every piece of text that does not fit where it is drawn.
() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return { left: r.left + window.scrollX, top: r.top + window.scrollY,
             right: r.right + window.scrollX, bottom: r.bottom + window.scrollY,
             width: r.width, height: r.height };
  };
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5
    && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;

  const figures = [...document.querySelectorAll("figure.chart")];
  const charts = figures.map((f) => ({ id: f.querySelector(".vega").id, ...box(f) }));
  const overlaps = [];
  charts.forEach((a, i) => charts.slice(i + 1).forEach((b) => {
    if (meet(a, b)) overlaps.push([a.id, b.id]);
  }));

  // SVG text must lie inside its SVG (the SVG clips what runs past it) and the SVG inside
  // its chart box; Vega marks text it shortened with "…".
  const clipped = [];
  const ellipsis = [];
  for (const figure of figures) {
    const id = figure.querySelector(".vega").id;
    const svg = figure.querySelector("svg");
    if (!svg) continue;
    const area = box(svg);
    if (!inside(area, box(figure))) clipped.push({ id, what: "svg", area, figure: box(figure) });
    for (const text of svg.querySelectorAll("text")) {
      const b = box(text);
      if (b.width === 0 || !text.textContent.trim()) continue;
      if (!inside(b, area)) clipped.push({ id, what: text.textContent, box: b, area });
      if (text.textContent.includes("…")) ellipsis.push({ id, text: text.textContent });
    }
  }

  // HTML text that is wider than its box is cut or runs over its neighbours
  const overflowing = [];
  const selector = "h1, h2, h3, p, li, summary, figcaption, .kpi, .vega, td, th, .charts";
  for (const el of document.querySelectorAll(selector)) {
    if (el.offsetParent === null) continue;  // not displayed (inside a closed <details>)
    if (el.scrollWidth > el.clientWidth + 1) {
      overflowing.push({ html: el.outerHTML.slice(0, 120), scroll: el.scrollWidth,
                         client: el.clientWidth });
    }
  }
  return { charts, overlaps, clipped, ellipsis, overflowing,
           pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth };
}
