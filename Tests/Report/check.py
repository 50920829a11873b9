#!/usr/bin/env python3
"""Opens a run's report.html in headless Chromium and checks what a reader sees.

Usage: check.py REPORT.html [--browser chromium]

A copy of the page with a small checking script appended is loaded from a
file:// URL. The script waits for the page to load, checks every image,
measures every inline SVG and lists every reference that is not a data: URL;
it writes its findings into the DOM, which Chromium prints (--dump-dom).
The check fails when the page logs anything to the console or raises an
error, when an image does not load to a non-empty bitmap, when an SVG
draws nothing, when the page refers to anything outside itself, or when it
has fewer images or plots than expected. Standard library only.
"""

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHECK_SCRIPT = """
<script>
(() => {
  const errors = [];
  addEventListener('error', (event) => {
    const target = event.target && (event.target.src || event.target.href);
    errors.push(event.message || ('failed to load ' + (target || 'a resource').slice(0, 60)));
  }, true);
  addEventListener('load', () => {
    // After the load event every image has loaded or failed: a decoded
    // image has its natural size, a broken one none.
    const images = [...document.images];
    const decoded = images.map((image) => image.complete && image.naturalWidth > 0 && image.naturalHeight > 0);
    const svgs = [...document.querySelectorAll('svg')];
    const references = [...document.querySelectorAll('[src], [href]')]
      .map((element) => element.getAttribute('src') || element.getAttribute('href'))
      .filter((url) => !url.startsWith('data:') && !url.startsWith('#'));
    const findings = {
      images: images.length,
      undecoded: images.filter((_, i) => !decoded[i]).map((image) => image.alt || '(no alt text)'),
      sizes: images.map((image) => [image.naturalWidth, image.naturalHeight]),
      svgs: svgs.length,
      emptySvgs: svgs.filter((svg) => { const box = svg.getBBox(); return !(box.width > 0 && box.height > 0); }).length,
      references,
      errors,
    };
    const output = document.createElement('pre');
    output.id = 'report-check';
    output.textContent = JSON.stringify(findings);
    document.body.appendChild(output);
  });
})();
</script>
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report")
    parser.add_argument("--browser", default=os.environ.get("GTN_BROWSER", "chromium"))
    parser.add_argument("--min-images", type=int, default=1)
    parser.add_argument("--min-svgs", type=int, default=3)
    arguments = parser.parse_args()

    browser = shutil.which(arguments.browser)
    if browser is None:
        sys.exit(f"check.py: {arguments.browser} is not installed (Debian: apt-get install chromium)")
    with open(arguments.report, encoding="utf-8") as file:
        page = file.read()
    if "</body>" not in page:
        sys.exit(f"check.py: {arguments.report} has no </body>")
    if "<script" in page:
        sys.exit(f"check.py: {arguments.report} contains a script; the report must not run any")

    with tempfile.TemporaryDirectory(prefix="gtn-report-check-") as folder:
        copy = os.path.join(folder, "report.html")
        with open(copy, "w", encoding="utf-8") as file:
            file.write(page.replace("</body>", CHECK_SCRIPT + "</body>", 1))
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
            f"--user-data-dir={os.path.join(folder, 'profile')}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=20000", "--dump-dom", "file://" + copy,
        ]
        # Chromium may print the DOM before the load event's handler has run
        # (it happens rarely); the page is loaded again, up to three times.
        for attempt in range(3):
            result = subprocess.run(command, capture_output=True, text=True, timeout=180)
            match = re.search(r'<pre id="report-check">(.*?)</pre>', result.stdout, re.S)
            if result.returncode != 0 or match is not None:
                break

    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    if result.returncode != 0 or match is None:
        sys.exit(f"check.py: the browser did not finish the check (status {result.returncode}):\n{result.stderr[-2000:]}")
    findings = json.loads(html.unescape(match.group(1)))

    problems = []
    if console:
        problems.append("console messages:\n  " + "\n  ".join(console))
    if findings["errors"]:
        problems.append("errors: " + "; ".join(findings["errors"]))
    if findings["undecoded"]:
        problems.append("images that did not decode: " + ", ".join(findings["undecoded"]))
    if findings["emptySvgs"]:
        problems.append(f"{findings['emptySvgs']} SVG plot(s) draw nothing")
    if findings["references"]:
        problems.append("references outside the page: " + ", ".join(findings["references"][:5]))
    if findings["images"] < arguments.min_images:
        problems.append(f"{findings['images']} image(s), expected at least {arguments.min_images}")
    if findings["svgs"] < arguments.min_svgs:
        problems.append(f"{findings['svgs']} SVG plot(s), expected at least {arguments.min_svgs}")
    version = subprocess.run([browser, "--version"], capture_output=True, text=True).stdout.strip()
    if problems:
        sys.exit(f"check.py: {arguments.report} in {version}:\n" + "\n".join(problems))
    sizes = ", ".join(f"{w}×{h}" for w, h in findings["sizes"])
    print(f"{arguments.report}: {findings['images']} image(s) decoded ({sizes}), {findings['svgs']} SVG plots drawn, "
          f"no console messages, nothing loaded from outside the page ({version})")


if __name__ == "__main__":
    main()
