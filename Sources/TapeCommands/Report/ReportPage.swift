/// The shell of a report: one self-contained HTML document (inline CSS and a small inline script,
/// nothing fetched), light and dark through `prefers-color-scheme`, printable. Sections are
/// appended as HTML text; everything essential is in the markup (the script only adds hover
/// read-outs on charts and sorting of tables).
struct ReportPage {
    var title: String
    private var body = ""

    init(title: String) { self.title = title }

    /// Appends a `<section id="id">` with a heading and `content`.
    mutating func section(_ id: String, _ heading: String, _ content: String) {
        body += "<section id=\"\(id)\" class=\"report-section\">\n<h2>\(html(heading))</h2>\n\(content)\n</section>\n"
    }

    /// Appends raw HTML.
    mutating func append(_ content: String) { body += content }

    /// The whole document.
    func render(generator: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="\(html(generator))">
        <title>\(html(title))</title>
        <style>\(Self.css)</style>
        </head>
        <body>
        <main>
        <h1>\(html(title))</h1>
        \(body)</main>
        <div id="tip" role="tooltip" hidden></div>
        <script>\(Self.script)</script>
        </body>
        </html>

        """
    }

    static let css = """

        :root{color-scheme:light dark;--bg:#fff;--fg:#1b1f24;--muted:#5b6470;--grid:#e3e6ea;--frame:#9aa3ad;--card:#f6f8fa;
        --c0:#1f77b4;--c1:#d62728;--c2:#2ca02c;--c3:#9467bd;--c4:#ff7f0e;--c5:#8c564b;--c6:#e377c2;--c7:#7f7f7f;--c8:#bcbd22;--c9:#17becf;
        --pos:#1a9850;--neg:#d73027;--dd:#d62728}
        @media (prefers-color-scheme:dark){:root{--bg:#0f1216;--fg:#e6e9ed;--muted:#9aa4af;--grid:#2a3038;--frame:#5b6470;--card:#171b21;
        --c0:#5aa9e6;--c1:#ff6b6b;--c2:#5cd65c;--c3:#b89cf0;--c4:#ffa94d;--c5:#c49c94;--c6:#f7a1d8;--c7:#b0b0b0;--c8:#dbdb5c;--c9:#4dd9e8;
        --pos:#52c77a;--neg:#ff6b6b;--dd:#ff6b6b}}
        body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif}
        main{max-width:1000px;margin:0 auto;padding:16px 20px 48px}
        h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--grid);padding-bottom:4px}
        h3{font-size:14px;margin:16px 0 6px}
        p.note,.note{color:var(--muted);font-size:12.5px;margin:4px 0 10px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums;margin:6px 0 12px;font-size:13px}
        th,td{padding:3px 8px;border-bottom:1px solid var(--grid);text-align:right;white-space:nowrap}
        th:first-child,td:first-child{text-align:left}
        th{font-weight:600;background:var(--card)}
        table.kv td:first-child{color:var(--muted)}
        .scroll{overflow-x:auto;max-width:100%}
        table.sortable th{cursor:pointer;user-select:none}
        table.sortable th[aria-sort=ascending]::after{content:" ▲"}table.sortable th[aria-sort=descending]::after{content:" ▼"}
        .pos{color:var(--pos)}.neg{color:var(--neg)}
        svg.chart{display:block;width:100%;height:auto;margin:4px 0;overflow:visible}
        svg.chart text{fill:var(--fg);font-size:11px}
        svg.chart .grid line{stroke:var(--grid);stroke-width:1}
        svg.chart .frame{fill:none;stroke:var(--frame)}
        svg.chart .label{fill:var(--muted)}
        svg.chart .zero{stroke:var(--frame);stroke-dasharray:3 3}
        svg.chart .line{fill:none;stroke-width:1.3;stroke-linejoin:round}
        svg.chart .area{stroke-width:.8}
        svg.chart .bar{stroke:none}
        svg.chart .cursor{stroke:var(--muted);stroke-width:1;visibility:hidden}
        svg.chart .cell.missing{fill:url(#missing)}
        svg.chart .celltext{font-size:10px;pointer-events:none}
        \((0..<10).map { ".s\($0){stroke:var(--c\($0))}.f\($0){fill:var(--c\($0))}" }.joined())
        .f-dd{fill:var(--dd);fill-opacity:.35;stroke:var(--dd)}.f-pos{fill:var(--pos)}.f-neg{fill:var(--neg)}
        .scale-toggle{font-size:12.5px;color:var(--muted)}
        .equity-panel:has(.logscale:checked) .lin{display:none}
        .equity-panel:not(:has(.logscale:checked)) .log{display:none}
        .legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:2px 0 6px}
        .legend span::before{content:"";display:inline-block;width:14px;height:3px;margin:0 5px 3px 0;background:var(--k)}
        .kv-columns{display:flex;flex-wrap:wrap;gap:0 28px;align-items:flex-start}
        .grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 24px}
        @media (max-width:760px){.grid2{grid-template-columns:1fr}}
        #tip{position:fixed;pointer-events:none;background:var(--card);color:var(--fg);border:1px solid var(--frame);border-radius:4px;
        padding:4px 7px;font-size:12px;white-space:pre;z-index:10;box-shadow:0 2px 6px rgba(0,0,0,.2)}
        @media print{.scale-toggle,#tip{display:none}main{max-width:none;padding:0}section{break-inside:avoid}h2{break-after:avoid}}

        """

    /// Hover read-outs (charts with `data-hover`: nearest column's date and values; cells and bars
    /// with `data-tip`) and click-to-sort on `table.sortable` (cells sort by `data-v`, else text).
    static let script = #"""

        (function(){
        var tip=document.getElementById('tip');
        function show(e,text){tip.textContent=text;tip.hidden=false;tip.style.left=(e.clientX+14)+'px';tip.style.top=(e.clientY+12)+'px';}
        function hide(){tip.hidden=true;}
        document.querySelectorAll('svg[data-hover]').forEach(function(svg){
          var d=JSON.parse(svg.getAttribute('data-hover'));var cur=svg.querySelector('.cursor');
          svg.addEventListener('mousemove',function(e){
            var m=svg.getScreenCTM();if(!m||!d.x.length)return;var p=svg.createSVGPoint();p.x=e.clientX;p.y=e.clientY;
            var x=p.matrixTransform(m.inverse()).x;var lo=0,hi=d.x.length-1;
            while(lo<hi){var mid=(lo+hi)>>1;if(d.x[mid]<x)lo=mid+1;else hi=mid;}
            if(lo>0&&Math.abs(d.x[lo-1]-x)<Math.abs(d.x[lo]-x))lo--;
            var lines=[d.t[lo]];for(var k=0;k<d.s.length;k++){var v=d.s[k].v[lo];if(v!==null)lines.push((d.s.length>1?d.s[k].n+': ':'')+v);}
            if(cur){cur.setAttribute('x1',d.x[lo]);cur.setAttribute('x2',d.x[lo]);cur.style.visibility='visible';}
            show(e,lines.join('\n'));});
          svg.addEventListener('mouseleave',function(){hide();if(cur)cur.style.visibility='hidden';});
        });
        document.querySelectorAll('[data-tip]').forEach(function(el){
          el.addEventListener('mousemove',function(e){show(e,el.getAttribute('data-tip'));});
          el.addEventListener('mouseleave',hide);
        });
        document.querySelectorAll('table.sortable').forEach(function(t){
          t.querySelectorAll('thead th').forEach(function(th,i){
            th.addEventListener('click',function(){
              var desc=th.getAttribute('aria-sort')!=='descending';
              t.querySelectorAll('thead th').forEach(function(o){o.removeAttribute('aria-sort');});
              th.setAttribute('aria-sort',desc?'descending':'ascending');
              var body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);
              function key(r){var c=r.cells[i];var v=c.getAttribute('data-v');return v===null?c.textContent:(v===''?null:parseFloat(v));}
              rows.sort(function(a,b){var x=key(a),y=key(b);if(x===null)return y===null?0:1;if(y===null)return -1;
                var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));return desc?-c:c;});
              rows.forEach(function(r){body.appendChild(r);});
            });
          });
        });
        })();

        """#
}

/// Text escaped for HTML/SVG content and attribute values (control characters become spaces).
func html(_ text: String) -> String { SVGChart.escape(text) }
