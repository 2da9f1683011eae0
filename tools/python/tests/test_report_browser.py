"""`tape report` pages rendered in a real browser: headless Chromium (Debian's `chromium`, which
`make test` installs when missing) loads a one-run report, a five-run comparison and a 2-parameter
sweep from `tape demo` runs. Each page must log nothing to the console; a small checker appended
to a copy of the page reports, from the live DOM, every section's charts (laid-out size and drawn
marks) and tables, a hover read-out, and a click-sorted table. Screenshots are kept in
.build/report-screenshots/ (build artefacts, not committed).
"""
import html
import json
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SHOTS = os.path.join(ROOT, ".build", "report-screenshots")

CHECKER = r"""
<script>
(function(){
  var r={sections:{}};
  document.querySelectorAll('section').forEach(function(s){
    var charts=[].map.call(s.querySelectorAll('svg.chart'),function(svg){
      var b=svg.getBoundingClientRect();
      var marks=[].filter.call(svg.querySelectorAll('polyline,polygon,rect.bar,rect.cell,circle'),function(e){
        if(e.hasAttribute('points'))return e.getAttribute('points').trim().split(' ').length>1;
        var bb=e.getBBox();return bb.width>0||bb.height>0;}).length;
      return {cls:svg.getAttribute('class'),w:b.width,h:b.height,marks:marks};});
    r.sections[s.id]={charts:charts,rows:s.querySelectorAll('table tbody tr').length,text:s.textContent.trim().length};
  });
  var svg=document.querySelector('svg[data-hover]');
  if(svg){var b=svg.getBoundingClientRect();
    svg.dispatchEvent(new MouseEvent('mousemove',{clientX:b.left+b.width*0.6,clientY:b.top+b.height/2,bubbles:true}));
    var tip=document.getElementById('tip');r.hover=tip.hidden?null:tip.textContent;}
  var cell=document.querySelector('[data-tip]');
  if(cell){var c=cell.getBoundingClientRect();
    cell.dispatchEvent(new MouseEvent('mousemove',{clientX:c.left+1,clientY:c.top+1,bubbles:true}));
    r.cellTip=document.getElementById('tip').textContent;}
  var toggle=document.querySelector('input.logscale');
  if(toggle){var lin=document.querySelector('.equity-panel g.lin'),lg=document.querySelector('.equity-panel g.log');
    var before=[getComputedStyle(lin).display,getComputedStyle(lg).display];toggle.click();
    r.logToggle=before.concat([getComputedStyle(lin).display,getComputedStyle(lg).display]);}
  var table=document.querySelector('table.sortable');
  if(table){var ths=table.querySelectorAll('thead th'),k=-1;
    ths.forEach(function(th,i){if(th.textContent==='sharpe')k=i;});
    if(k>=0){ths[k].click();
      r.sortedDesc=[].map.call(table.tBodies[0].rows,function(row){return row.cells[k].getAttribute('data-v');});
      ths[k].click();
      r.sortedAsc=[].map.call(table.tBodies[0].rows,function(row){return row.cells[k].getAttribute('data-v');});}}
  var pre=document.createElement('pre');pre.id='check';pre.textContent=JSON.stringify(r);document.body.appendChild(pre);
})();
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("headless Chromium is needed (make test installs Debian's chromium package)")


def browse(page, *args):
    """Runs headless Chromium on file `page`; returns (stdout, console lines from stderr)."""
    p = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr",
                        "--v=0", "--user-data-dir=" + os.path.join(os.path.dirname(page), "profile"), *args, "file://" + page],
                       capture_output=True, text=True, timeout=120)
    console = [line for line in p.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    return p.stdout, console


def render(path, name):
    """The checker's findings on a copy of report `path`, and its console lines; a screenshot of
    the report itself goes to .build/report-screenshots/NAME.png."""
    with open(path, encoding="utf-8") as f:
        page = f.read()
    checked = path + ".check.html"
    with open(checked, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", CHECKER + "</body>"))
    out, console = browse(checked, "--dump-dom")
    m = re.search(r'<pre id="check">(.*?)</pre>', out, re.S)
    assert m, "the checker did not run: %s" % out[-500:]
    os.makedirs(SHOTS, exist_ok=True)
    shot = os.path.join(SHOTS, name + ".png")
    _, shot_console = browse(path, "--screenshot=" + shot, "--window-size=1100,3000")
    assert os.path.getsize(shot) > 10_000
    return json.loads(html.unescape(m.group(1))), console + shot_console


def demo(run_cli, directory, *args):
    run_cli("demo", directory, *args)
    return os.path.join(directory, "demo.tape")


def assert_sections(found, expected):
    assert list(found["sections"]) == expected
    for sid in expected:
        s = found["sections"][sid]
        assert s["text"] > 0, sid
        for chart in s["charts"]:
            assert chart["w"] > 100 and chart["h"] > 20, (sid, chart)
            assert chart["marks"] > 0, (sid, chart)


def test_console_errors_are_seen(tmp_path):
    """Negative control: a page whose script throws must show up on the console."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>noSuchFunction()</script>")
    _, console = browse(str(page), "--dump-dom")
    assert any("noSuchFunction" in line for line in console), console


def test_one_run_report_in_chromium(tmp_path, run_cli):
    run = demo(run_cli, str(tmp_path / "one"), "--bars", "90000")
    out = str(tmp_path / "one.html")
    run_cli("report", run, "--out", out, "--rolling-window", "20")
    found, console = render(out, "one-run")
    assert console == []
    assert_sections(found, ["header", "metrics", "equity", "drawdowns", "monthly", "distribution", "rolling", "trades", "exposure"])
    charts = {c["cls"].split()[1]: c for s in found["sections"].values() for c in s["charts"]}
    for cls in ["equity", "underwater", "monthly", "histogram", "rolling-sharpe", "rolling-volatility", "pnl-histogram",
                "holding", "pnl-hour", "pnl-weekday", "exposure"]:
        assert cls in charts, cls
    assert found["sections"]["drawdowns"]["rows"] >= 1
    assert found["sections"]["trades"]["rows"] >= 20          # win/loss table, best and worst 10
    assert re.match(r"\d{4}-\d\d-\d\d", found["hover"]), found["hover"]
    assert found["cellTip"]
    assert found["logToggle"] == ["inline", "none", "none", "inline"]    # the log-scale switch (CSS only)


def test_five_run_comparison_in_chromium(tmp_path, run_cli):
    runs = [demo(run_cli, str(tmp_path / ("s%d" % s)), "--bars", "40000", "--seed", str(s)) for s in range(1, 6)]
    out = str(tmp_path / "five.html")
    run_cli("report", *runs, "--out", out)
    found, console = render(out, "five-runs")
    assert console == []
    assert_sections(found, ["comparison", "overlay-equity", "overlay-drawdown", "correlation"])
    assert found["sections"]["comparison"]["rows"] == 5
    overlay = found["sections"]["overlay-equity"]["charts"][0]
    assert overlay["marks"] == 5
    assert found["sections"]["correlation"]["charts"][0]["marks"] == 25
    desc = [float(v) for v in found["sortedDesc"]]
    assert desc == sorted(desc, reverse=True) and found["sortedAsc"] == found["sortedDesc"][::-1]
    assert "\n" in found["hover"]                               # date, then one line per run


def test_sweep_heatmap_in_chromium(tmp_path, run_cli):
    runs = []
    for fast in (5, 10, 20):
        for slow in (50, 100, 200):
            if (fast, slow) != (20, 50):                          # one missing cell
                runs.append(demo(run_cli, str(tmp_path / ("f%d-s%d" % (fast, slow))), "--bars", "5000", "--fast", str(fast), "--slow", str(slow)))
    out = str(tmp_path / "sweep.html")
    run_cli("report", *runs, "--heatmap", "fast,slow", "--metric", "total_return", "--out", out)
    found, console = render(out, "sweep")
    assert console == []
    assert_sections(found, ["heatmap", "top-runs"])
    heatmap = found["sections"]["heatmap"]["charts"][0]
    assert heatmap["marks"] == 9                                 # 8 runs + 1 hatched missing cell
    assert found["sections"]["top-runs"]["rows"] == 8
    assert "fast=" in found["cellTip"] and "slow=" in found["cellTip"]
