// The reports page's two charts, drawn by Chart.js (loaded before this module, served by the service)
// from the page's JSON block, which holds only the counts as shown (suppressed ones are null).
/* global document */
const data = JSON.parse(document.getElementById('report-data')?.textContent ?? 'null')
const Chart = globalThis.Chart
if (data && Chart) {
  const verdicts = document.getElementById('verdicts-chart')
  if (verdicts) {
    new Chart(verdicts, {
      type: 'bar',
      data: {
        labels: data.months.map((m) => m.month),
        datasets: [
          { label: data.labels.eligible, data: data.months.map((m) => m.eligible), backgroundColor: '#2e7d32', stack: 'verdict' },
          { label: data.labels.incomplete, data: data.months.map((m) => m.incomplete), backgroundColor: '#f9a825', stack: 'verdict' },
          { label: data.labels.notEligible, data: data.months.map((m) => m.notEligible), backgroundColor: '#c62828', stack: 'verdict' },
          { label: data.labels.signedDespite, data: data.months.map((m) => m.signedDespite), backgroundColor: '#6a1b9a', stack: 'despite' }
        ]
      },
      options: { animation: false, aspectRatio: 3, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    })
  }
  const criteria = document.getElementById('criteria-chart')
  if (criteria && data.criteria.length > 0) {
    new Chart(criteria, {
      type: 'bar',
      data: { labels: data.criteria.map((c) => c.label), datasets: [{ label: data.labels.count, data: data.criteria.map((c) => c.n), backgroundColor: '#1565c0' }] },
      options: {
        animation: false,
        indexAxis: 'y',
        aspectRatio: Math.max(2, 12 / data.criteria.length),
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => data.criteria[items[0].dataIndex].title } } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
      }
    })
  }
  document.documentElement.dataset.chartsDrawn = 'true'
}
