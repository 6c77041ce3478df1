// Script of every report page (read by aijobs.reports.render).
// Folded boxes (the settings) open on paper: CSS alone cannot unfold a <details>.
// On a narrow screen (a phone), every chart is refitted once drawn: its title, subtitle, axis
// titles and source line are wrapped to the width, the legend gets room above the plot, and
// the margins and height grow to hold them; back on a wide screen the chart is restored.
// On any screen, a title that runs into the legend, or a label past the right edge, is
// measured and given room.
window.addEventListener('beforeprint', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
});
(function () {
  var NARROW = 600;
  function wrapWords(text, n) {
    var out = [], line = '';
    text.split(' ').forEach(function (word) {
      if (line && (line + ' ' + word).replace(/<[^>]*>/g, '').length > n) {
        out.push(line); line = word;
      } else { line = line ? line + ' ' + word : word; }
    });
    if (line) out.push(line);
    return out;
  }
  function wrapMarkup(text, n) {
    var lines = [], parts = [];
    // the headline's lines (before the <sup> subtitle) are one sentence broken for a desktop
    // width: joined again before they are wrapped to this one
    var inSub = false;
    String(text || '').split(/<br\s*\/?>/i).forEach(function (part) {
      inSub = inSub || /^\s*<sup>/i.test(part);
      if (parts.length && !inSub) { parts[parts.length - 1] += ' ' + part; }
      else { parts.push(part); }
    });
    parts.forEach(function (part) {
      var sup = /^\s*<sup>([\s\S]*)<\/sup>\s*$/i.exec(part);
      if (sup) {
        wrapWords(sup[1], Math.round(n * 1.3)).forEach(function (l) {
          lines.push({text: '<sup>' + l + '</sup>', px: 13});
        });
      } else {
        wrapWords(part, n).forEach(function (l) { lines.push({text: l, px: 18}); });
      }
    });
    return lines;
  }
  // An axis's category labels wrapped to n characters: {vals, text, lines (the most lines
  // of one label)}, or null when every label already fits (or the axis has no categories).
  function wrapTicks(gd, axis, n) {
    var F = gd._fullLayout || {}, ax = F[axis], base = gd._aijobsWide || {};
    if (!ax) return null;
    var vals, labels;
    if (base[axis + '.ticktext']) {
      vals = base[axis + '.tickvals']; labels = base[axis + '.ticktext'];
    } else if (ax.type === 'category' && ax._categories) {
      vals = ax._categories.slice(); labels = vals;
    } else { return null; }
    var most = 1, long = false;
    var text = labels.map(function (label) {
      // a label's own line breaks are kept ('2025<br>(1 January to ...)' keeps the year alone
      // on its first line, so it cannot run into the next column's year); each part wraps
      var parts = String(label).split(/<br\s*\/?>/i);
      var fits = parts.every(function (p) { return p.replace(/<[^>]*>/g, '').length <= n; });
      if (fits) { most = Math.max(most, parts.length); return String(label); }
      long = true;
      var lines = [];
      parts.forEach(function (p) { lines = lines.concat(wrapWords(p, n)); });
      most = Math.max(most, lines.length);
      return lines.join('<br>');
    });
    return long ? {vals: vals, text: text, lines: most, count: vals.length} : null;
  }
  // A chart on a narrow screen: its title wrapped to the width, smaller title and legend
  // fonts, narrow side margins ({update: for Plotly.relayout, titleH: the title's height}).
  function narrowLayout(text, w) {
    var title = wrapMarkup(text, Math.max(22, Math.floor((w - 16) / 8)));
    return {titleH: title.reduce(function (a, l) { return a + l.px; }, 0) + 6,
            update: {'title.text': title.map(function (l) { return l.text; }).join('<br>'),
                     'title.font.size': 15, 'title.yref': 'container', 'title.y': 1,
                     'title.yanchor': 'top', 'title.pad.t': 8, 'legend.font.size': 11,
                     'margin.l': 6, 'margin.r': 10}};
  }
  function valueAt(o, path) {
    return path.split('.').reduce(function (a, k) { return a == null ? undefined : a[k]; }, o);
  }
  function setAt(o, path, v) {
    var keys = path.split('.'), last = keys.pop();
    keys.forEach(function (k) {
      if (o[k] === null || typeof o[k] !== 'object') o[k] = {};
      o = o[k];
    });
    o[last] = v;
  }
  // A chart's width is known before plotly first draws it: on a narrow screen the first
  // drawing already has the narrow title, fonts and margins (narrowLayout), rather than a
  // desktop's, redrawn at once. What they replaced is kept (null: plotly's default) for a wide
  // screen and for fit's later rounds.
  function firstDrawing(newPlot) {
    return function (id, data, layout) {
      var gd = typeof id === 'string' ? document.getElementById(id) : id;
      var w = gd && gd.clientWidth;
      if (gd && layout && typeof layout === 'object' && w > 0 && w < NARROW &&
          !gd._aijobsWide) {
        if (typeof layout.title === 'string') layout.title = {text: layout.title};
        var update = narrowLayout(valueAt(layout, 'title.text') || '', w).update, kept = {};
        Object.keys(update).forEach(function (k) {
          var v = valueAt(layout, k);
          kept[k] = v === undefined ? null : v;
          setAt(layout, k, update[k]);
        });
        gd._aijobsFirst = {width: w, kept: kept};
      }
      return newPlot.apply(this, arguments);
    };
  }
  function drawNarrowFirst(P) {
    if (P && typeof P.newPlot === 'function' && !P.newPlot._aijobs) {
      P.newPlot = firstDrawing(P.newPlot);
      P.newPlot._aijobs = true;
    }
  }
  // The templates load plotly.js before this script (page.html.j2's head block), so newPlot
  // is wrapped before any chart is drawn.
  drawNarrowFirst(window.Plotly);
  function fit(gd) {
    var L = gd.layout;
    if (!L || !window.Plotly) return Promise.resolve();
    var w = gd.clientWidth, first = gd._aijobsFirst;
    gd._aijobsFirst = null;
    if (w >= NARROW) {
      var wide = gd._aijobsWide || (first && first.kept);
      gd._aijobsWide = null;
      gd._aijobsWidth = null;
      if (wide) {
        if (wide.height) gd.parentElement.style.height = wide.height + 'px';
        return Plotly.relayout(gd, wide).then(function () { return roomFor(gd, 4); });
      } else {
        return Promise.resolve(roomFor(gd, 3));
      }
    }
    if (gd._aijobsWidth === w) return Promise.resolve();
    var base = gd._aijobsWide;
    if (!base) {
      var F = gd._fullLayout || {}, m = F.margin || {};
      base = {'title.text': (F.title && F.title.text) || '', 'title.font.size':
              (F.title && F.title.font && F.title.font.size) || 17, 'title.y': F.title &&
              F.title.y, 'title.yanchor': F.title && F.title.yanchor, 'title.yref':
              F.title && F.title.yref, 'title.pad.t': 0, 'margin.t': m.t, 'margin.b': m.b, 'margin.l': m.l,
              'margin.r': m.r, height: F.height, 'legend.font.size': (F.legend &&
              F.legend.font && F.legend.font.size) || 13, 'xaxis.title.text': F.xaxis &&
              F.xaxis.title && F.xaxis.title.text,
              annotations: JSON.parse(JSON.stringify(L.annotations || [])),
              'yaxis.tickmode': (L.yaxis && L.yaxis.tickmode) || null,
              'yaxis.tickvals': (L.yaxis && L.yaxis.tickvals) || null,
              'yaxis.ticktext': (L.yaxis && L.yaxis.ticktext) || null,
              'xaxis.tickmode': (L.xaxis && L.xaxis.tickmode) || null,
              'xaxis.tickvals': (L.xaxis && L.xaxis.tickvals) || null,
              'xaxis.ticktext': (L.xaxis && L.xaxis.ticktext) || null,
              'xaxis.range': L.xaxis && L.xaxis.range ? L.xaxis.range.slice() : null};
      if (first) {  // what the first drawing changed, as the figure had it
        Object.keys(first.kept).forEach(function (k) { base[k] = first.kept[k]; });
      }
      gd._aijobsWide = base;
    }
    gd._aijobsWidth = w;
    var narrow = narrowLayout(base['title.text'], w), titleH = narrow.titleH;
    // drawn at this width already (see firstDrawing): only the axes' labels are left to set
    var update = first && first.width === w ? {} : narrow.update;
    // Long row labels are wrapped onto lines of at most ~40% of the width, so the plot keeps
    // the rest; the chart grows to give each wrapped row its lines.
    var rows = wrapTicks(gd, 'yaxis', Math.max(10, Math.floor(w * 0.42 / 7)));
    var extraRows = 0, extraX = 0;
    if (rows) {
      update['yaxis.tickmode'] = 'array';
      update['yaxis.tickvals'] = rows.vals;
      update['yaxis.ticktext'] = rows.text;
      extraRows = rows.count * (rows.lines - 1) * 15;  // every row as tall as the tallest
    }
    // Long column labels (a partial year with its dates) are wrapped to their column's width.
    var cols = wrapTicks(gd, 'xaxis', 0);
    if (cols) {
      cols = wrapTicks(gd, 'xaxis', Math.max(8, Math.floor(w * 0.75 / cols.count / 7)));
      if (cols) {
        update['xaxis.tickmode'] = 'array';
        update['xaxis.tickvals'] = cols.vals;
        update['xaxis.ticktext'] = cols.text;
        extraX = (cols.lines - 1) * 15;
      }
    }
    var drawn = Object.keys(update).length ? Plotly.relayout(gd, update) : Promise.resolve();
    return drawn.then(function () {
      // Drawn at the new width: the legend's height and the plot area's place are known.
      var F = gd._fullLayout, size = F._size, r = gd.getBoundingClientRect();
      var legend = F.showlegend ? (F.legend._height || 0) : 0;
      var centre = size.l + size.w / 2, half = Math.min(centre, w - centre);
      var next = {}, extraB = 0;
      if (base['xaxis.title.text']) {
        var axis = wrapWords(String(base['xaxis.title.text']), Math.floor(2 * half / 7.8));
        next['xaxis.title.text'] = axis.join('<br>');
        extraB += (axis.length - 1) * 16;
      }
      var notes = base.annotations.map(function (a) {
        var copy = JSON.parse(JSON.stringify(a));
        if (typeof copy.yshift === 'number' && copy.yshift <= -50 && copy.text) {
          var room = copy.xref === 'paper' ? w - size.l - 4 : w - 8;
          var lines = wrapWords(String(copy.text).replace(/<br\s*\/?>/gi, ' '),
                                Math.floor(room / 5.7));
          copy.text = lines.join('<br>');
          copy.yshift = copy.yshift - extraB;
          extraB += Math.max(0, lines.length - String(a.text).split(/<br/i).length) * 12;
        }
        return copy;
      });
      if (notes.length) next.annotations = notes;
      var top = titleH + legend + 16, bottom = base['margin.b'] + extraB + extraX;
      // What this relayout leaves in place is measured now and set with it, rather than in
      // rounds after it: the title (placed from the top of the chart) and the width.
      // plotly places a title of several lines too high: it moves down by what is cut off.
      var box = gd.querySelector('.gtitle'), lg = gd.querySelector('.legend'), down = 0;
      if (box) {
        down = Math.max(0, 6 - (box.getBoundingClientRect().top - r.top));
        if (down > 0) next['title.pad.t'] = 8 + down;
      }
      // The legend, on the plot's top edge, moves with the top margin: the margin holds the
      // title (moved down) above it.
      if (box && lg && F.legend.yref !== 'container') {
        var above = lg.getBoundingClientRect().top - r.top - size.t;
        if (above < 0) {
          top = Math.max(top, Math.ceil(box.getBoundingClientRect().bottom - r.top + down + 4 -
                                        above));
        }
      }
      var range = stretched(gd, r, F);
      if (range) { next['xaxis.range'] = range; next['xaxis.autorange'] = false; }
      var height = (base.height || 450) + (top - base['margin.t']) + extraB + extraRows +
        extraX;
      gd.parentElement.style.height = height + 'px';  // pio's wrapper fixes the height
      next['margin.t'] = top;
      next['margin.b'] = bottom;
      next.height = height;
      return Plotly.relayout(gd, next);
    }).then(function () { return roomFor(gd, 4); });
  }
  // Text beside bars or points (a bar's value label) past the right edge: the value axis's
  // range that brings the longest label inside the chart (4 px from its edge), or null. Each
  // label stays as wide, and its start (the bar's end, 3 px before it) moves in proportion.
  function stretched(gd, r, F) {
    var xa = F.xaxis;
    if (!xa || xa.type !== 'linear' || !xa.range || F.xaxis2) return null;
    var left = r.left + F._size.l, span = xa.range[1] - xa.range[0], need = span;
    gd.querySelectorAll('.bartext, .textpoint').forEach(function (e) {
      var b = e.getBoundingClientRect(), cut = b.right - r.right + 4;
      if (cut <= 0.5) return;  // less than half a pixel short of the 4 px: nothing to draw
      var start = Math.max(b.left - 3 - left, 1);
      need = Math.max(need, span * start / Math.max(start - cut, start * 0.25));
    });
    return need > span ? [xa.range[0], xa.range[0] + need] : null;
  }
  function roomFor(gd, tries) {
      // What still collides is measured and given room: a legend under the title, labels
      // past the right edge (a few rounds: labels placed beyond the plot move with it).
      var r = gd.getBoundingClientRect(), F = gd._fullLayout, next = {};
      var title = gd.querySelector('.gtitle'), legend = gd.querySelector('.legend');
      // plotly places a title of several lines, anchored at the top, too high: move it down
      // by what is cut off
      if (title && F.title && F.title.yanchor === 'top') {
        var above = r.top + 4 - title.getBoundingClientRect().top;
        if (above > 0) next['title.pad.t'] = ((F.title.pad && F.title.pad.t) || 0) + above;
      }
      if (title && legend) {
        var t = title.getBoundingClientRect(), l = legend.getBoundingClientRect();
        var overlap = t.bottom + 4 - l.top;
        if (overlap > 0 && l.top < r.top + F.margin.t) {
          // The legend on the plot's top edge moves down with the top margin, a title that
          // plotly places in the middle of the margin ('auto') half as far: the margin grows
          // by twice the overlap then. Whole pixels: plotly draws the margin rounded.
          var half = F.title.y === 'auto' && F.title.yref === 'container' &&
              F.legend.yref !== 'container';
          var grow = Math.ceil(half ? 2 * overlap : overlap);
          next['margin.t'] = F.margin.t + grow;
          next.height = F.height + grow;
          if (F.legend.yref === 'container') {  // placed from the top: move it down too
            next['legend.y'] = F.legend.y - grow / next.height;
          }
        }
      }
      // A note placed from its left edge moves in with the plot's right side by the share of
      // the plot's width left of that edge: the margin grows by what is past over that share.
      var right = 0, plotL = r.left + F._size.l;
      gd.querySelectorAll('.annotation, .g-xtitle').forEach(function (e) {
        var b = e.getBoundingClientRect(), past = b.right - r.right + 2;
        if (past <= 0.5) return;  // less than half a pixel: nothing to draw
        var i = e.getAttribute('data-index'), a = i === null ? null : (F.annotations || [])[+i];
        var share = a && a.xanchor === 'left' ?
            Math.min(1.5, Math.max(0.5, (b.left - plotL) / F._size.w)) : 1;
        right = Math.max(right, Math.ceil(past / share));
      });
      if (right > 0) next['margin.r'] = F.margin.r + right;
      // A note under the plot (the source line) that the axis title runs into moves down
      // (by half a pixel or more: less is not drawn).
      var xt = gd.querySelector('.g-xtitle');
      if (xt) {
        var xb = xt.getBoundingClientRect();
        gd.querySelectorAll('.annotation[data-index]').forEach(function (e) {
          var i = +e.getAttribute('data-index'), a = (F.annotations || [])[i];
          var b = e.getBoundingClientRect(), down = xb.bottom + 4 - b.top;
          if (a && typeof a.yshift === 'number' && a.yshift <= -50 && down > 0.5 &&
              b.bottom > xb.top && b.left < xb.right && b.right > xb.left) {
            next['annotations[' + i + '].yshift'] = a.yshift - down;
            next['margin.b'] = Math.max(next['margin.b'] || 0, F.margin.b + down);
            next.height = (next.height || F.height) + down;
          }
        });
      }
      // Text beside bars or points (a bar's value label) past the right edge: the value axis
      // is stretched so the longest label ends inside the chart.
      var range = stretched(gd, r, F);
      if (range) { next['xaxis.range'] = range; next['xaxis.autorange'] = false; }
      if (Object.keys(next).length && tries > 0) {
        if (next.height) gd.parentElement.style.height = next.height + 'px';
        return Plotly.relayout(gd, next).then(function () { return roomFor(gd, tries - 1); });
      }
  }
  // When every chart is fitted, <body data-charts-fitted> is set (tests wait for it).
  function fitAll() {
    document.body.removeAttribute('data-charts-fitted');
    var plots = Array.prototype.slice.call(document.querySelectorAll('.js-plotly-plot'));
    return Promise.all(plots.map(function (gd) {
      return Promise.resolve(fit(gd)).catch(function () {});
    })).then(function () { document.body.setAttribute('data-charts-fitted', ''); });
  }
  window.addEventListener('load', fitAll);
  var timer = null;
  window.addEventListener('resize', function () {
    clearTimeout(timer); timer = setTimeout(fitAll, 150);
  });
})();
