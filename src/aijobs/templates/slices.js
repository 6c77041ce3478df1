// The survey pages' slice switch (read by aijobs.notebook.survey_pages). It only selects
// slices computed at build time and embedded as JSON above it: n, grade, reason, percentiles
// and their intervals are the package's; nothing is estimated here. Every text is set with
// textContent, never as markup, and the address keeps the choice (#role=...&level=...).
(function () {
  var root = document.currentScript.closest('section');
  var D = JSON.parse(root.querySelector('script.slice-data').textContent);
  var DIMS = ['role', 'level', 'country', 'year'], SVG = 'http://www.w3.org/2000/svg';
  var Q = D.quantiles, mid = Q.indexOf(50), q25 = Q.indexOf(25), q75 = Q.indexOf(75);
  var selects = {}, state = {};
  var tbody = root.querySelector('tbody'), summary = root.querySelector('.slice-summary');
  var svg = root.querySelector('svg'), caption = root.querySelector('figcaption');
  var input = root.querySelector('input[name=salary]');
  var answer = root.querySelector('.salary-answer');
  function usd(v) { return '$' + Math.round(v).toLocaleString('en-US'); }
  function num(v) { return v.toLocaleString('en-US'); }
  function ordinal(q) {
    var s = (q % 100 > 10 && q % 100 < 14) ? 'th' : ({1: 'st', 2: 'nd', 3: 'rd'}[q % 10] || 'th');
    return q + s;
  }
  function label(dim, value) {
    var o = D.options[dim].filter(function (x) { return x[0] === value; })[0];
    return o ? o[1] : value;
  }
  function pos(dim, value) {
    for (var i = 0; i < D.options[dim].length; i++) if (D.options[dim][i][0] === value) return i;
    return -1;
  }
  function slice(s) {
    var row = D.slices[DIMS.map(function (d) { return pos(d, s[d]); }).join('|')];
    if (!row) return null;
    return {n: row[0], postings: row[1], grade: D.grades[row[2]], dominated: row[3] === 1,
            reason: D.reasons[row[4]], p: row[5], lo: row[6], hi: row[7]};
  }
  function name(s) {
    var level = s.level === 'all' ? 'all levels' : label('level', s.level).toLowerCase();
    var country = s.country === 'all' ? 'all countries' : label('country', s.country)
      .replace(/ \([^)]*\)$/, '');
    var year = s.year === 'all' ? 'all years' : s.year;
    return label('role', s.role) + ', ' + level + ', ' + country + ', ' + year;
  }
  function unitText(n) { return num(n) + ' ' + D.unit + (n === 1 ? '' : 's'); }
  function gradeText(x) { return x.grade + (x.dominated ? ' (dominated by one advert)' : ''); }
  function cell(tr, text, head) {
    var td = document.createElement('td');
    td.setAttribute('data-label', head);
    td.textContent = text;
    tr.appendChild(td);
  }
  var HEADS = Array.prototype.map.call(root.querySelectorAll('thead th'),
                                       function (th) { return th.textContent; });
  function drawTable() {
    tbody.textContent = '';
    D.options.role.forEach(function (r) {
      var s = {role: r[0], level: state.level, country: state.country, year: state.year};
      var x = slice(s), tr = document.createElement('tr');
      if (r[0] === state.role) { tr.className = 'chosen'; tr.setAttribute('aria-current', 'true'); }
      cell(tr, r[1] + (r[0] === state.role ? ' (chosen)' : ''), HEADS[0]);
      if (!x) {
        cell(tr, '0', HEADS[1]);
        cell(tr, 'no ' + D.unit + 's in this slice', HEADS[2]);
        cell(tr, '–', HEADS[3]); cell(tr, '–', HEADS[4]); cell(tr, '–', HEADS[5]);
      } else if (!x.p) {
        cell(tr, num(x.n), HEADS[1]);
        cell(tr, 'too few to report: ' + x.reason, HEADS[2]);
        cell(tr, '–', HEADS[3]); cell(tr, '–', HEADS[4]); cell(tr, gradeText(x), HEADS[5]);
      } else {
        cell(tr, num(x.n), HEADS[1]);
        cell(tr, usd(x.p[mid]), HEADS[2]);
        cell(tr, x.lo[mid] == null ? 'too few for an interval'
             : usd(x.lo[mid]) + ' to ' + usd(x.hi[mid]), HEADS[3]);
        cell(tr, usd(x.p[q25]) + ' to ' + usd(x.p[q75]), HEADS[4]);
        cell(tr, gradeText(x) + ' (' + x.reason + ')', HEADS[5]);
      }
      tbody.appendChild(tr);
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    svg.appendChild(e);
    return e;
  }
  function drawChart(x, salary) {
    svg.textContent = '';
    var chosen = name(state);
    if (!x || !x.p) {
      svg.setAttribute('height', '0');
      svg.setAttribute('aria-label', 'No chart: ' + chosen + ' is too small to report.');
      caption.textContent = x ? 'No chart for ' + chosen + ': too few to report (' + x.reason +
        ').' : 'No chart for ' + chosen + ': no ' + D.unit + 's in this slice.';
      return;
    }
    var W = Math.max(svg.parentNode.clientWidth, 200), H = 132, pad = 14;
    svg.setAttribute('width', W); svg.setAttribute('height', H);
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    var lo = x.p[0], hi = x.p[x.p.length - 1];
    if (salary != null) { lo = Math.min(lo, salary); hi = Math.max(hi, salary); }
    var span = (hi - lo) || hi || 1;
    lo -= span * 0.04; hi += span * 0.04;
    var X = function (v) { return pad + (v - lo) / (hi - lo) * (W - 2 * pad); };
    var y = 58;
    el('line', {x1: X(x.p[0]), x2: X(x.p[x.p.length - 1]), y1: y, y2: y, stroke: '#616e7c',
                'stroke-width': 2});
    el('rect', {x: X(x.p[q25]), y: y - 14, width: Math.max(X(x.p[q75]) - X(x.p[q25]), 1),
                height: 28, fill: '#bfdbfe', stroke: '#2563eb'});
    if (x.lo[mid] != null) {
      el('rect', {x: X(x.lo[mid]), y: y - 18, width: Math.max(X(x.hi[mid]) - X(x.lo[mid]), 2),
                  height: 36, fill: '#2563eb', 'fill-opacity': 0.25});
    }
    el('line', {x1: X(x.p[mid]), x2: X(x.p[mid]), y1: y - 18, y2: y + 18, stroke: '#1e3a8a',
                'stroke-width': 3});
    var small = {'font-size': 12, fill: '#1f2933'};
    el('text', Object.assign({x: X(x.p[0]), y: y + 36, 'text-anchor': 'start'}, small),
       ordinal(Q[0]) + ' pct ' + usd(x.p[0]));
    el('text', Object.assign({x: X(x.p[x.p.length - 1]), y: y + 36, 'text-anchor': 'end'},
                             small), ordinal(Q[Q.length - 1]) + ' pct ' + usd(x.p[x.p.length - 1]));
    var m = X(x.p[mid]);
    el('text', Object.assign({x: Math.min(Math.max(m, 80), W - 80), y: y + 54,
                              'text-anchor': 'middle', 'font-weight': 600}, small),
       'median ' + usd(x.p[mid]));
    if (salary != null) {
      var s = X(salary);
      el('line', {x1: s, x2: s, y1: 20, y2: y + 20, stroke: '#b45309', 'stroke-width': 2,
                  'stroke-dasharray': '4 3'});
      var anchor = s < W * 0.25 ? 'start' : s > W * 0.75 ? 'end' : 'middle';
      el('text', Object.assign({x: s, y: 14, 'text-anchor': anchor}, small,
                               {fill: '#b45309', 'font-weight': 600}), 'your ' + usd(salary));
    }
    var text = 'Advertised pay for ' + chosen + ' (' + unitText(x.n) + '): middle half ' +
      usd(x.p[q25]) + ' to ' + usd(x.p[q75]) + ', median ' + usd(x.p[mid]) +
      (x.lo[mid] != null ? ' (95% interval ' + usd(x.lo[mid]) + ' to ' + usd(x.hi[mid]) + ')'
       : '') + ', ' + ordinal(Q[0]) + ' to ' + ordinal(Q[Q.length - 1]) + ' percentile ' +
      usd(x.p[0]) + ' to ' + usd(x.p[x.p.length - 1]) + '.';
    svg.setAttribute('aria-label', text);
    caption.textContent = text + ' Box: middle half; thick line: median; shaded: its 95% ' +
      'interval; whiskers: ' + ordinal(Q[0]) + ' to ' + ordinal(Q[Q.length - 1]) +
      ' percentile. Pay counted: ' + D.measure + '.';
  }
  // A typed salary as dollars a year, or {error: one line}.
  function parseSalary(raw) {
    var t = String(raw).trim();
    if (!t) return {error: 'Type an annual salary in US dollars, e.g. 150000 or 150k.'};
    var plain = t.replace(/^\$/, '').replace(/usd$/i, '').replace(/[,\s]/g, '');
    var m = /^(-?)(\d+(?:\.\d+)?)(k?)$/i.exec(plain);
    if (!m) return {error: 'That is not a number: type an annual salary in US dollars, ' +
                           'e.g. 150000 or 150k.'};
    var v = parseFloat(m[2]) * (m[3] ? 1000 : 1);
    if (m[1] || v <= 0) return {error: 'A salary must be more than $0 a year.'};
    if (!isFinite(v) || v < D.bounds_usd[0] || v > D.bounds_usd[1])
      return {error: usd(v) + ' a year is outside the pay this page counts (' +
                     usd(D.bounds_usd[0]) + ' to ' + usd(D.bounds_usd[1]) + ' a year).'};
    return {value: v};
  }
  // Where a salary falls among the slice's percentiles: the two grid percentiles around it,
  // and the widest placing the percentiles' 95% intervals allow.
  function place(x, v) {
    var below = 0, above = 100, lowest = 0, highest = 100;
    for (var i = 0; i < Q.length; i++) {
      if (x.p[i] <= v) below = Q[i];
      if (x.p[i] > v && above === 100) above = Q[i];
      if (x.hi[i] != null && x.hi[i] <= v) lowest = Q[i];
      if (x.lo[i] != null && x.lo[i] > v && highest === 100) highest = Q[i];
    }
    return {below: below, above: above, lowest: lowest, highest: highest};
  }
  function drawAnswer(x) {
    var raw = input.value, parsed = raw.trim() ? parseSalary(raw) : null;
    answer.className = 'salary-answer';
    if (!parsed) { answer.textContent = ''; return null; }
    if (parsed.error) {
      answer.className = 'salary-answer salary-error';
      answer.textContent = parsed.error;
      return null;
    }
    var v = parsed.value, chosen = name(state);
    if (!x || !x.p) {
      answer.textContent = 'Cannot place ' + usd(v) + ': ' + chosen + ' is too small to ' +
        'report (' + (x ? x.reason : 'no ' + D.unit + 's') + '). Pick a wider slice.';
      return v;
    }
    var p = place(x, v), of = D.measure_plural + ' of the ' + unitText(x.n) + ' for ' + chosen;
    var where, lower = ' of the advertised ' + of + ' are lower.';
    if (p.below === 0) {
      where = usd(v) + ' a year is below the ' + ordinal(p.above) + ' percentile: fewer than ' +
        'about ' + p.above + '%' + lower;
    } else if (p.above === 100) {
      where = usd(v) + ' a year is at or above the ' + ordinal(p.below) + ' percentile: ' +
        'about ' + p.below + '% or more' + lower;
    } else {
      where = usd(v) + ' a year lies between the ' + ordinal(p.below) + ' and ' +
        ordinal(p.above) + ' percentiles: between about ' + p.below + '% and ' + p.above + '%' +
        lower;
    }
    answer.textContent = '';
    var strong = document.createElement('strong');
    strong.textContent = where;
    answer.appendChild(strong);
    answer.appendChild(document.createTextNode(' Allowing for sampling error (the 95% intervals of those ' +
      'percentiles, copies of one advert counted as one): between ' + p.lowest + '% and ' +
      p.highest + '%. Percentiles are kept at the ' + Q.map(ordinal).join(', ') +
      ' only, so the placing is no finer than that. This is advertised base pay (' +
      D.measure + '), not what people earn, and no bonus or equity.'));
    return v;
  }
  function writeAddress() {
    var params = new URLSearchParams();
    DIMS.forEach(function (d) { params.set(d, state[d]); });
    var parsed = input.value.trim() ? parseSalary(input.value) : null;
    if (parsed && parsed.value) params.set('salary', String(Math.round(parsed.value)));
    try { history.replaceState(null, '', '#' + params.toString()); } catch (e) { /* file: */ }
  }
  function draw(write) {
    DIMS.forEach(function (d) { selects[d].value = state[d]; });
    var x = slice(state);
    drawTable();
    summary.textContent = !x ? name(state) + ': no ' + D.unit + 's in this slice.'
      : !x.p ? name(state) + ': too few to report (' + x.reason + ').'
      : name(state) + ': median advertised pay ' + usd(x.p[mid]) + (x.lo[mid] != null ?
        ' (95% interval ' + usd(x.lo[mid]) + ' to ' + usd(x.hi[mid]) + ')' : '') + ', ' +
        unitText(x.n) + ', ' + gradeText(x) + '.';
    drawChart(x, drawAnswer(x));
    if (write) writeAddress();
  }
  // The choice in the address; anything unknown falls back to the default, silently.
  function readAddress() {
    var params;
    try { params = new URLSearchParams(location.hash.replace(/^#/, '')); }
    catch (e) { params = new URLSearchParams(''); }
    DIMS.forEach(function (d) {
      var v = params.get(d);
      state[d] = v !== null && pos(d, v) >= 0 ? v : D.default[d];
    });
    var salary = params.get('salary');
    input.value = salary !== null && /^\d{1,9}$/.test(salary) ? salary : '';
  }
  DIMS.forEach(function (d) {
    var sel = root.querySelector('select[data-dim=' + d + ']');
    D.options[d].forEach(function (o) {
      var opt = document.createElement('option');
      opt.value = o[0]; opt.textContent = o[1];
      sel.appendChild(opt);
    });
    sel.addEventListener('change', function () { state[d] = sel.value; draw(true); });
    selects[d] = sel;
  });
  input.addEventListener('input', function () { draw(true); });
  window.addEventListener('hashchange', function () { readAddress(); draw(false); });
  window.addEventListener('resize', function () { draw(false); });
  readAddress();
  draw(false);
})();
