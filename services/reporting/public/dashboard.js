'use strict';
// The reporting dashboard: every figure comes from the reporting API with the viewer's platform token, so the page
// never holds a figure outside the viewer's scope. French formatting, text alternatives for every chart.
(function () {
  var TOKEN_KEY = 'tremplin.reporting.token';
  var euros0 = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: 0, maximumFractionDigits: 0 });
  var euros2 = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var integer = new Intl.NumberFormat('fr-FR');
  var decimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
  var PALETTE = ['#1d4f91', '#b34700', '#2e7d32', '#6a1b9a', '#8d6e00', '#00695c', '#ad1457'];
  var PRODUCTS = { classic: 'Microcrédit personnel', restructuring: 'Restructuration de dettes', autonomyHealth: 'Autonomie et santé' };
  var PURPOSES = { mobility: 'Mobilité', housing: 'Logement', healthEquipment: 'Santé, équipement', employmentTraining: 'Emploi, formation', debtRestructuring: 'Restructuration de dettes', other: 'Autre', unknown: 'Non renseigné' };
  var MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
  var charts = {};
  var scope = null;

  var $ = function (id) { return document.getElementById(id); };
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }
  // Cents as the users write them: "1 825 €", or "20 475,51 €" when there are cents.
  function money(cents) { return cents % 100 === 0 ? euros0.format(cents / 100) : euros2.format(cents / 100); }
  function secret() { return el('abbr', { class: 'secret', title: 'secret statistique : moins de 5 personnes, ou case complémentaire' }, ['s']); }
  function show(value, kind) {
    if (value === null || value === undefined) return kind === 'absent' ? '—' : secret();
    if (kind === 'money') return money(value);
    if (kind === 'days') return decimal.format(value) + ' j';
    if (kind === 'percent') return decimal.format(value) + ' %';
    return integer.format(value);
  }
  function monthLabel(month) { return MONTHS[Number(month.slice(5, 7)) - 1] + ' ' + month.slice(0, 4); }

  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  async function api(path) {
    var response = await fetch(path, { headers: { authorization: 'Bearer ' + token() } });
    if (response.status === 401) { sessionStorage.removeItem(TOKEN_KEY); signIn('Votre session a expiré : reconnectez-vous.'); throw new Error('401'); }
    if (!response.ok) throw new Error('HTTP ' + response.status);
    return response;
  }

  function signIn(message) {
    $('main').hidden = true;
    $('signin').hidden = false;
    $('viewer').textContent = message || '';
    $('token').focus();
  }

  // The years up to the service's today (its clock: a demo platform's runs ahead), not the viewer's computer's.
  function periods() {
    var now = scope && scope.today ? Number(scope.today.slice(0, 4)) : new Date().getFullYear();
    var options = [];
    for (var year = now; year > now - 10; year--) {
      var group = el('optgroup', { label: String(year) });
      group.append(el('option', { value: String(year) }, ['Année ' + year]));
      for (var q = 1; q <= 4; q++) group.append(el('option', { value: year + '-Q' + q }, [q + (q === 1 ? 'er' : 'e') + ' trimestre ' + year]));
      options.push(group);
    }
    return options;
  }

  function query(format, table) {
    var params = new URLSearchParams({ period: $('period').value, groupBy: $('groupBy').value });
    if ($('tenant').value) params.set('tenantId', $('tenant').value);
    if ($('product').value) params.set('product', $('product').value);
    if (format) { params.set('format', format); params.set('table', table); }
    return '/reporting/figures?' + params.toString();
  }

  async function download(table) {
    var blob = await (await api(query('csv', table))).blob();
    var link = el('a', { href: URL.createObjectURL(blob), download: 'tremplin-' + table + '-' + $('period').value + '.csv' });
    document.body.append(link);
    link.click();
    link.remove();
  }
  function downloadButton(table, label) {
    var button = el('button', { type: 'button', class: 'download', 'data-csv': table }, ['Télécharger ' + label + ' (CSV)']);
    button.addEventListener('click', function () { download(table); });
    return button;
  }

  var KPIS = [
    ['applicationsTransmitted', 'Dossiers transmis à la banque', 'count'],
    ['loansGranted', 'Prêts accordés', 'count'],
    ['approvalRatePercent', 'Taux d’accord', 'percent'],
    ['amountSumCents', 'Montant total prêté', 'money'],
    ['amountMeanCents', 'Montant moyen', 'money'],
    ['amountMedianCents', 'Montant médian', 'money'],
    ['outstandingCents', 'Capital restant dû', 'money'],
    ['missedInstalments', 'Échéances impayées', 'count'],
    ['incidentWarnings', 'Avertissements d’incident', 'count'],
    ['reschedulings', 'Réaménagements', 'count'],
    ['defaults', 'Défauts', 'count'],
    ['daysToDecisionMedian', 'Délai médian jusqu’à la décision', 'days'],
    ['daysOpeningToDisbursementMedian', 'Délai médian de l’ouverture au versement', 'days'],
    ['firstContactDelayDaysMedian', 'Délai médian du premier contact CCAS après un impayé', 'days'],
    ['firstContactWithinDeadlinePercent', 'Premiers contacts dans le délai du CCAS', 'percent'],
    ['supportMeasures', 'Mesures de soutien', 'count'],
    ['interestRefundedCents', 'Intérêts remboursés', 'money'],
    ['guaranteeExposureCents', 'Encours garanti', 'money'],
    ['guaranteeLossRatePercent', 'Taux de perte sur la garantie', 'percent'],
  ];
  var OUTCOMES = { improved: ['Amélioration', '#2e7d32'], unchanged: ['Pas de changement', '#1d4f91'], worsened: ['Dégradation', '#b34700'], notConcerned: ['Non concerné', '#595959'] };
  var DIMENSIONS = { employment: 'Emploi', mobility: 'Mobilité', housing: 'Logement', health: 'Santé', budget: 'Budget', socialTies: 'Liens sociaux' };

  function renderKpis(total) {
    var list = $('kpis');
    list.replaceChildren();
    KPIS.forEach(function (kpi) {
      var value = total.values[kpi[0]];
      var hidden = total.suppressed.indexOf(kpi[0]) >= 0;
      var shown = hidden ? secret() : show(value, value === null ? 'absent' : kpi[2]);
      list.append(el('div', { 'data-measure': kpi[0] }, [el('dt', {}, [kpi[1]]), el('dd', {}, [shown])]));
    });
  }

  // One chart and its data as a table (the text alternative), with the chart's figures downloadable.
  function chart(id, config, rows, header, describe, csv) {
    var figure = $(id);
    var canvas = figure.querySelector('canvas');
    canvas.setAttribute('aria-label', describe);
    if (charts[id]) charts[id].destroy();
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false, locale: 'fr-FR' }, config.options || {});
    charts[id] = new Chart(canvas, config);
    figure.querySelectorAll('details, .download').forEach(function (node) { node.remove(); });
    var table = el('table', {}, [el('thead', {}, [el('tr', {}, header.map(function (h) { return el('th', { scope: 'col' }, [h]); }))]), el('tbody', {}, rows.map(function (row) { return el('tr', {}, row.map(function (cell, i) { return el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, [cell]); })); }))]);
    figure.append(el('details', {}, [el('summary', {}, ['Voir les données']), table]));
    if (csv) figure.append(downloadButton(csv[0], csv[1]));
  }

  function renderCharts(report) {
    var t = report.total.values;
    var funnel = [['Dossiers transmis', t.applicationsTransmitted], ['Prêts approuvés', t.loansApproved], ['Prêts accordés', t.loansGranted]];
    chart('chart-funnel', { type: 'bar', data: { labels: funnel.map(function (f) { return f[0]; }), datasets: [{ label: 'Nombre', data: funnel.map(function (f) { return f[1]; }), backgroundColor: PALETTE[0] }] }, options: { indexAxis: 'y', plugins: { legend: { display: false } } } },
      funnel.map(function (f) { return [f[0], show(f[1], 'count')]; }), ['Étape', 'Nombre'],
      'Entonnoir : ' + funnel.map(function (f) { return f[0] + ' ' + (f[1] === null ? 'masqué' : integer.format(f[1])); }).join(', '), ['groups', 'le détail']);

    var buckets = report.amounts.map(function (b) { return b.toCents === null ? 'plus de ' + money(b.fromCents) : money(b.fromCents) + ' à ' + money(b.toCents); });
    chart('chart-amounts', { type: 'bar', data: { labels: buckets, datasets: [{ label: 'Prêts', data: report.amounts.map(function (b) { return b.count; }), backgroundColor: PALETTE[1] }] }, options: { plugins: { legend: { display: false } } } },
      report.amounts.map(function (b, i) { return [buckets[i], show(b.count, 'count')]; }), ['Montant', 'Prêts'],
      'Répartition des montants accordés ; montant médian ' + (t.amountMedianCents === null ? 'masqué' : money(t.amountMedianCents)), ['amounts', 'les montants']);

    var purposes = report.purposes.map(function (p) { return PURPOSES[p.key] || p.key; });
    chart('chart-purposes', { type: 'doughnut', data: { labels: purposes, datasets: [{ data: report.purposes.map(function (p) { return p.count; }), backgroundColor: PALETTE }] } },
      report.purposes.map(function (p, i) { return [purposes[i], show(p.count, 'count')]; }), ['Objet', 'Prêts'],
      'Objets des prêts : ' + report.purposes.map(function (p, i) { return purposes[i] + ' ' + (p.count === null ? 'masqué' : p.count); }).join(', '), ['purposes', 'les objets']);

    var months = report.series.map(function (p) { return monthLabel(p.month); });
    var series = [['loansGranted', 'Prêts accordés', PALETTE[0]], ['missedInstalments', 'Échéances impayées', PALETTE[1]], ['incidentWarnings', 'Avertissements', PALETTE[6]]];
    chart('chart-incidents', { type: 'line', data: { labels: months, datasets: series.map(function (s) { return { label: s[1], data: report.series.map(function (p) { return p.values[s[0]]; }), borderColor: s[2], backgroundColor: s[2], spanGaps: false }; }) } },
      report.series.map(function (p, i) { return [months[i]].concat(series.map(function (s) { return show(p.values[s[0]], 'count'); })); }), ['Mois'].concat(series.map(function (s) { return s[1]; })),
      'Prêts accordés, échéances impayées et avertissements par mois, ' + months.length + ' mois', ['series', 'la série mensuelle']);

    var delays = [
      ['Ouverture → commission', t.daysOpeningToCommissionMedian, t.daysOpeningToCommissionP90],
      ['Commission → décision bancaire', t.daysCommissionToDecisionMedian, t.daysCommissionToDecisionP90],
      ['Transmission → décision', t.daysToDecisionMedian, t.daysToDecisionP90],
      ['Décision → versement', t.daysToDisbursementMedian, t.daysToDisbursementP90],
      ['Ouverture → versement', t.daysOpeningToDisbursementMedian, t.daysOpeningToDisbursementP90],
    ];
    chart('chart-delays', { type: 'bar', data: { labels: delays.map(function (d) { return d[0]; }), datasets: [{ label: 'Médiane', data: delays.map(function (d) { return d[1]; }), backgroundColor: PALETTE[2] }, { label: '9e décile', data: delays.map(function (d) { return d[2]; }), backgroundColor: PALETTE[3] }] }, options: { indexAxis: 'y' } },
      delays.map(function (d) { return [d[0], show(d[1], d[1] === null ? 'absent' : 'days'), show(d[2], d[2] === null ? 'absent' : 'days')]; }), ['Étape', 'Médiane', '9e décile'],
      'Délais en jours : ' + delays.map(function (d) { return d[0] + ' médiane ' + (d[1] === null ? 'non disponible' : decimal.format(d[1])); }).join(', '));

    // A cell is 's' when hidden, '—' when there is nothing to measure.
    var cellOf = function (measure, kind) { return report.total.suppressed.indexOf(measure) >= 0 ? secret() : show(t[measure], t[measure] === null ? 'absent' : kind); };
    var reaction = [['Médiane', t.firstContactDelayDaysMedian, 'firstContactDelayDaysMedian'], ['9e décile', t.firstContactDelayDaysP90, 'firstContactDelayDaysP90']];
    var within = t.firstContactWithinDeadlinePercent;
    chart('chart-reaction', { type: 'bar', data: { labels: reaction.map(function (r) { return r[0]; }), datasets: [{ label: 'Jours', data: reaction.map(function (r) { return r[1]; }), backgroundColor: PALETTE[6] }] }, options: { plugins: { legend: { display: false } } } },
      reaction.map(function (r) { return [r[0], cellOf(r[2], 'days')]; }).concat([['Escalades ouvertes', cellOf('escalationsOpened', 'count')], ['Dans le délai du CCAS', cellOf('firstContactWithinDeadlinePercent', 'percent')]]), ['Mesure', 'Valeur'],
      'Premier contact du CCAS après un impayé : médiane ' + (t.firstContactDelayDaysMedian === null ? 'masquée ou non disponible' : decimal.format(t.firstContactDelayDaysMedian) + ' jours') +
        ', dans le délai du CCAS ' + (within === null ? 'masqué ou non disponible' : decimal.format(within) + ' %'));

    var support = [['Aides d’urgence', t.supportEmergencyAid], ['Épicerie sociale', t.supportSocialGrocery], ['Orientations', t.supportReferral], ['Remboursements d’intérêts', t.interestRefunds]];
    chart('chart-support', { type: 'bar', data: { labels: support.map(function (x) { return x[0]; }), datasets: [{ label: 'Nombre', data: support.map(function (x) { return x[1]; }), backgroundColor: PALETTE[4] }] }, options: { plugins: { legend: { display: false } } } },
      support.map(function (x) { return [x[0], show(x[1], 'count')]; }).concat([['Aides versées', cellOf('supportAidCents', 'money')], ['Intérêts remboursés', cellOf('interestRefundedCents', 'money')]]), ['Mesure', 'Valeur'],
      'Mesures de soutien : ' + support.map(function (x) { return x[0] + ' ' + (x[1] === null ? 'masqué' : integer.format(x[1])); }).join(', '));

    var guarantee = [['Couvert à l’octroi', t.guaranteedCents], ['Encours garanti', t.guaranteeExposureCents], ['Mises en jeu', t.guaranteeClaimCents], ['Indemnisations versées', t.guaranteeClaimsPaidCents], ['Récupéré par le fonds', t.guarantorRecoveredCents], ['Pertes', t.guaranteeLossCents], ['Enveloppes votées', t.envelopeCapacityCents]];
    chart('chart-guarantee', { type: 'bar', data: { labels: guarantee.map(function (g) { return g[0]; }), datasets: [{ label: 'Montant (€)', data: guarantee.map(function (g) { return g[1] === null ? null : g[1] / 100; }), backgroundColor: PALETTE[5] }] }, options: { plugins: { legend: { display: false } } } },
      guarantee.map(function (g) { return [g[0], show(g[1], 'money')]; }).concat([['Taux de perte (prêts de la période)', cellOf('guaranteeLossRatePercent', 'percent')]]), ['Poste', 'Montant'],
      'Garantie : ' + guarantee.map(function (g) { return g[0] + ' ' + (g[1] === null ? 'masqué' : money(g[1])); }).join(', '));

    var dims = report.outcomes.filter(function (o) { return DIMENSIONS[o.dimension]; });
    var codes = Object.keys(OUTCOMES);
    var countOf = function (o, code) { var found = o.codes.filter(function (c) { return c.code === code; })[0]; return found ? found.count : 0; };
    chart('chart-outcomes', { type: 'bar', data: { labels: dims.map(function (o) { return DIMENSIONS[o.dimension]; }), datasets: codes.map(function (code) { return { label: OUTCOMES[code][0], data: dims.map(function (o) { return countOf(o, code); }), backgroundColor: OUTCOMES[code][1] }; }) }, options: { indexAxis: 'y', scales: { x: { stacked: true }, y: { stacked: true } } } },
      dims.map(function (o) { return [DIMENSIONS[o.dimension]].concat(codes.map(function (code) { return show(countOf(o, code), 'count'); })); }), ['Domaine'].concat(codes.map(function (code) { return OUTCOMES[code][0]; })),
      'Bilan de fin de prêt, ' + (t.evaluationsRecorded === null ? 'nombre masqué' : integer.format(t.evaluationsRecorded)) + ' bilans : ' + dims.map(function (o) { var n = countOf(o, 'improved'); return DIMENSIONS[o.dimension] + ' amélioration ' + (n === null ? 'masqué' : n); }).join(', '), ['outcomes', 'les bilans']);
  }

  var COLUMNS = [['loansGranted', 'Prêts accordés', 'count'], ['amountSumCents', 'Montant prêté', 'money'], ['amountMeanCents', 'Montant moyen', 'money'], ['outstandingCents', 'Restant dû', 'money'], ['missedInstalments', 'Impayés', 'count'], ['defaults', 'Défauts', 'count']];
  function renderGroups(report) {
    var label = { tenant: 'CCAS', federation: 'Fédération', product: 'Produit' }[report.groupBy] || 'Périmètre';
    var cells = function (figures) { return COLUMNS.map(function (c) { return el('td', { 'data-measure': c[0] }, [show(figures.values[c[0]], c[2])]); }); };
    var table = $('groups');
    table.replaceChildren(
      el('caption', {}, ['Chiffres par ' + (report.groupBy === 'tenant' ? label : label.toLowerCase())]),
      el('thead', {}, [el('tr', {}, [el('th', { scope: 'col' }, [label])].concat(COLUMNS.map(function (c) { return el('th', { scope: 'col' }, [c[1]]); })))]),
      el('tbody', {}, report.rows.map(function (row) { return el('tr', { 'data-key': row.key }, [el('th', { scope: 'row' }, [PRODUCTS[row.key] || row.key])].concat(cells(row))); })),
      el('tfoot', {}, [el('tr', { 'data-key': 'total' }, [el('th', { scope: 'row' }, ['Total'])].concat(cells(report.total)))]),
    );
  }

  async function refresh() {
    $('status').textContent = 'Chargement…';
    var report = await (await api(query())).json();
    $('suppression-note').hidden = report.suppression !== 'smallNumbers';
    renderKpis(report.total);
    renderCharts(report);
    renderGroups(report);
    $('status').textContent = 'Chiffres de ' + $('period').selectedOptions[0].textContent + ' affichés.';
    document.body.setAttribute('data-ready', 'true');
  }

  async function start() {
    scope = await (await api('/reporting/scope')).json();
    $('signin').hidden = true;
    $('main').hidden = false;
    $('viewer').textContent = 'Périmètre : ' + scope.tenants.length + ' CCAS' + (scope.suppression === 'smallNumbers' ? ' — petits effectifs masqués' : '');
    $('period').replaceChildren.apply($('period'), periods());
    var tenant = $('tenant');
    tenant.replaceChildren(el('option', { value: '' }, ['Toutes celles de mon périmètre']));
    scope.tenants.forEach(function (t) { tenant.append(el('option', { value: t }, [t])); });
    var wanted = sessionStorage.getItem(TOKEN_KEY + '.period');
    if (wanted && $('period').querySelector('option[value="' + wanted + '"]')) $('period').value = wanted;
    await refresh();
  }

  document.addEventListener('DOMContentLoaded', function () {
    // A link may bring the token in its fragment (never sent to a server); it is kept for this tab only.
    var fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.get('token')) { sessionStorage.setItem(TOKEN_KEY, fragment.get('token')); history.replaceState(null, '', location.pathname + location.search); }
    if (fragment.get('period')) sessionStorage.setItem(TOKEN_KEY + '.period', fragment.get('period'));
    $('signin-form').addEventListener('submit', function (event) { event.preventDefault(); sessionStorage.setItem(TOKEN_KEY, $('token').value.trim()); start().catch(fail); });
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); refresh().catch(fail); });
    if (!token()) return signIn();
    start().catch(fail);
  });
  function fail(error) { if (error.message !== '401') $('status').textContent = 'Les chiffres n’ont pas pu être chargés (' + error.message + ').'; }
})();
