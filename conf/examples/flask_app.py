#!/usr/bin/env python3
"""A profile form in Flask, with flask_flashmsg.py beside it (see flask.conf).
Run: python3 flask_app.py [PORT]   (or: flask --app flask_app run -p PORT)
"""
import sys

from flask import Flask, redirect, render_template_string, request, url_for

from flask_flashmsg import flash, init_flashmsg

app = init_flashmsg(Flask(__name__))

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Profile</title></head>
<body>
<!--FLASH_MESSAGES-->
<form method="post"><label>Name <input name="name"></label> <button>Save</button></form>
</body></html>
"""


@app.route("/", methods=["GET", "POST"])
def profile():
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        if not name:
            flash("Please enter your name.", "error")
            return render_template_string(PAGE)     # shown on this very page
        # ... save name ...
        flash('Saved: "%s"' % name, "success")
        flash("Your profile is visible to everyone.", tags="privacy")
        return redirect(url_for("profile"), 303)
    return render_template_string(PAGE)


if __name__ == "__main__":
    app.run("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
