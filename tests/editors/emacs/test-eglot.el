;;; test-eglot.el --- batch Emacs + Eglot test of editors/emacs/layerwise-eglot.el  -*- lexical-binding: t -*-

;; run.sh loads editors/emacs/layerwise-eglot.el (unchanged) and then this file:
;;   emacs --batch -l editors/emacs/layerwise-eglot.el -l tests/editors/emacs/test-eglot.el
;; Files are opened with `find-file', so auto-mode-alist picks the major mode and the set-up's
;; `eglot-ensure' hook starts the server, as for a user.  Requests go through Eglot's own
;; connection and completion table; code actions are applied by Eglot's own code.
;;
;; Environment: LW_WS (scratch workspace with copies of tests/editors/fixtures/*), LW_EXPECT
;; ("standin" turns checks about layerwise's own behaviour into reported xfails; see
;; tests/editors/neovim/test.lua).  Exit status 0 only when every check passed.  Every wait is
;; bounded.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'eglot)
(require 'flymake)

(defvar lw-ws (or (getenv "LW_WS") (error "LW_WS not set")))
(defvar lw-standin (equal (getenv "LW_EXPECT") "standin"))
(defvar lw-passed 0)
(defvar lw-failed 0)
(defvar lw-xfailed 0)
(defconst lw-size-re "[0-9][0-9.,]*[[:space:]]*[kKMGT]i?B"
  "A size as people write it: \"400 MB\", \"≈ 1.2 GB\", \"57MiB\".")

;; A batch Emacs must never stop to ask.
(setq eglot-confirm-server-initiated-edits nil
      eglot-sync-connect 20
      eglot-connect-timeout 30)
(fset 'yes-or-no-p (lambda (&rest _) t))
(fset 'y-or-n-p (lambda (&rest _) t))

(defun lw-say (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun lw-one-line (s &optional max)
  (let ((s (replace-regexp-in-string "[ \t\n]+" " " (format "%s" (or s "")))))
    (if (and max (> (length s) max)) (concat (substring s 0 max) "...") s)))

(defun lw-check (name ok detail &optional lw-only)
  "Record check NAME.  LW-ONLY marks assertions about layerwise's own behaviour."
  (cond (ok (cl-incf lw-passed)
            (lw-say "ok    %s%s" name (if (and detail (not (string-empty-p detail)))
                                           (format "  [%s]" (lw-one-line detail 160)) "")))
        ((and lw-only lw-standin)
         (cl-incf lw-xfailed)
         (lw-say "xfail %s (stand-in server): %s" name (lw-one-line detail 300)))
        (t (cl-incf lw-failed)
           (lw-say "FAIL  %s: %s" name (lw-one-line detail 600))))
  ok)

(defun lw-wait (seconds pred)
  "Run the event loop until PRED is non-nil or SECONDS pass; return PRED's last value."
  (let ((deadline (+ (float-time) seconds)) (v nil))
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

;; publishDiagnostics as the server sent them, to see the document version they carry.
(defvar lw-published nil "List of (URI . VERSION), newest first.")
(cl-defmethod eglot-handle-notification :before
  (_server (_method (eql textDocument/publishDiagnostics)) &key uri version &allow-other-keys)
  (push (cons uri version) lw-published))

(defun lw-last-version ()
  (let ((uri (eglot--path-to-uri (buffer-file-name))))
    (cdr (cl-find uri lw-published :key #'car :test #'equal))))

;; Eglot sends didChange, and Flymake re-checks, from idle timers: when the user stops typing.
;; Batch Emacs is never idle, so after an edit the test runs the idle timers itself.
(defun lw-idle ()
  (dolist (timer (copy-sequence timer-idle-list))
    (timer-event-handler timer)))

(defun lw-open (path)
  "Visit PATH like a user and wait for Eglot to manage the buffer."
  (find-file path)
  ;; `eglot-ensure' connects from `post-command-hook', which only the command loop runs.
  (run-hooks 'post-command-hook)
  (prog1 (lw-wait 20 (lambda () (and (bound-and-true-p eglot--managed-mode) (eglot-current-server))))
    ;; Flymake defers its first check to the command loop too; after that, Eglot hands it each
    ;; publishDiagnostics as it arrives.
    (flymake-start)))

(defun lw-diags-on (line)
  "Flymake diagnostics (from Eglot) on 1-based LINE."
  (cl-remove-if-not (lambda (d) (= line (line-number-at-pos (flymake-diagnostic-beg d))))
                    (flymake-diagnostics)))

(defun lw-describe-diags ()
  (let ((all (flymake-diagnostics)))
    (if (null all) "none"
      (mapconcat (lambda (d) (format "%d: %s" (line-number-at-pos (flymake-diagnostic-beg d))
                                     (lw-one-line (flymake-diagnostic-text d) 80)))
                 all " | "))))

(defun lw-goto (line col)
  (goto-char (point-min)) (forward-line (1- line)) (forward-char col))

(defun lw-hover (line col)
  (lw-goto line col)
  (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                 (eglot--TextDocumentPositionParams)))
         (c (plist-get hover :contents)))
    (cond ((null c) "")
          ((stringp c) c)
          ((plist-get c :value))
          ((vectorp c) (mapconcat (lambda (p) (if (stringp p) p (or (plist-get p :value) ""))) c "\n"))
          (t (format "%S" c)))))

(defun lw-completions-at-point ()
  "All candidates of Eglot's completion-at-point table at point (Eglot does the request)."
  (let ((capf (eglot-completion-at-point)))
    (and capf (all-completions "" (nth 2 capf)))))

(defun lw-has-label (labels value)
  "Whether a label is VALUE or starts with VALUE and a space (\"WORKDIR /path\")."
  (cl-some (lambda (l) (or (equal l value) (string-prefix-p (concat value " ") l))) labels))

(defun lw-actions (beg end)
  "Code actions Eglot finds between BEG and END (with the Flymake diagnostics there)."
  (condition-case err (eglot-code-actions beg end nil nil)
    (error (lw-say "      code action request failed: %S" err) nil)))

(defun lw-titles (actions)
  (cond (actions (mapconcat (lambda (a) (plist-get a :title)) actions " | "))
        ((not (eglot--server-capable :codeActionProvider))
         "none: the server does not advertise codeActionProvider")
        (t "none")))

(defun lw-apply (action)
  "Apply ACTION with Eglot's own code, as choosing it from the menu would."
  (eglot--read-execute-code-action (list action) (eglot-current-server)
                                   (or (plist-get action :kind) "any")))

(defun lw-line-beg (line) (save-excursion (lw-goto line 0) (point)))

(cl-defun lw-run ()
  (lw-say "emacs %s, eglot from %s, server %s, workspace %s" emacs-version
          (file-name-directory (locate-library "eglot")) (if lw-standin "stand-in" "layerwise") lw-ws)

  ;; 1. Attach through the set-up alone.
  (let ((attached (lw-open (expand-file-name "single-stage/Dockerfile" lw-ws))))
    (lw-check "Dockerfile opens in dockerfile-mode" (eq major-mode 'dockerfile-mode) (symbol-name major-mode))
    (unless (lw-check "Eglot connects to layerwise" attached
                      (if attached "" "no Eglot server for the buffer after 20 s; see $WORK/server.log"))
      (cl-return-from lw-run)))
  (let ((single (current-buffer)) (server (eglot-current-server)))
    (lw-say "      server capabilities: %s"
            (lw-one-line (mapconcat #'symbol-name (cl-loop for (k _v) on (eglot--capabilities server) by #'cddr collect k) " ") 400))

    ;; 2. Diagnostics: MAINTAINER (line 2) is deprecated.
    (lw-check "diagnostic on the MAINTAINER line" (lw-wait 15 (lambda () (lw-diags-on 2))) (lw-describe-diags))
    (let ((v (lw-last-version)))
      (lw-check "publishDiagnostics carries the document version"
                (and v (equal v eglot--versioned-identifier))
                (format "published version %S, buffer version %S" v eglot--versioned-identifier) t))

    ;; 3. Hover.
    (let ((text (lw-hover 3 2)))
      (lw-check "hover on WORKDIR returns documentation" (not (string-empty-p text)) (lw-one-line text 120)))
    (let ((text (lw-hover 1 6)))
      (lw-check "hover on node:20 shows an image size" (string-match-p lw-size-re text)
                (format "hover text: %s" (if (string-empty-p text) "(empty)" (lw-one-line text 200))) t))

    ;; 4. Completion of instructions at the start of a new last line, typed "WO".
    (goto-char (point-max))
    (unless (bolp) (insert "\n"))
    (insert "WO")
    (let ((labels (lw-completions-at-point)))
      (lw-check "completion after \"WO\" offers WORKDIR" (lw-has-label labels "WORKDIR")
                (format "labels: %s" (lw-one-line (string-join labels ", ") 200))))
    (delete-region (line-beginning-position) (point))
    (let ((labels (lw-completions-at-point)))
      (lw-check "completion on an empty line offers FROM, RUN and COPY"
                (and (lw-has-label labels "FROM") (lw-has-label labels "RUN") (lw-has-label labels "COPY"))
                (format "labels: %s" (lw-one-line (string-join labels ", ") 200))))
    (delete-char -1)
    (lw-idle)
    (let ((ok (lw-wait 10 (lambda () (equal (lw-last-version) eglot--versioned-identifier)))))
      (lw-check "diagnostics republished for the edited version" ok
                (format "last published %S, buffer version %S" (lw-last-version) eglot--versioned-identifier) t))

    ;; 5. Quick fix for MAINTAINER, applied by Eglot.
    (let* ((actions (lw-actions (lw-line-beg 2) (lw-line-beg 3)))
           (fix (cl-find-if (lambda (a)
                              (let ((k (plist-get a :kind)) (title (downcase (plist-get a :title))))
                                (and (or (null k) (string-prefix-p "quickfix" k))
                                     (not (string-match-p "ignore\\|disable\\|suppress" title)))))
                            actions)))
      (when (lw-check "quick fix offered for MAINTAINER" fix (format "actions: %s" (lw-titles actions)) t)
        (lw-apply fix)
        (let ((ok (lw-wait 10 (lambda () (save-excursion (goto-char (point-min))
                                                         (not (re-search-forward "^[ \t]*MAINTAINER" nil t)))))))
          (lw-check (format "MAINTAINER quick fix applied (\"%s\")" (plist-get fix :title)) ok
                    (format "buffer: %s" (lw-one-line (buffer-string) 400))))))

    ;; 6. Split into build and runtime stages.
    (let* ((actions (lw-actions (point-min) (point-max)))
           (split (cl-find-if (lambda (a) (string-match-p "split" (downcase (plist-get a :title)))) actions)))
      (when (lw-check "\"Split into build and runtime stages\" offered" split
                      (format "actions over the whole file: %s" (lw-titles actions)) t)
        (lw-apply split)
        (let* ((froms (lambda () (save-excursion (goto-char (point-min))
                                                 (cl-loop while (re-search-forward "^[ \t]*FROM[ \t]" nil t) count t))))
               (_ (lw-wait 10 (lambda () (>= (funcall froms) 2))))
               (text (buffer-string)))
          (lw-check "split applied: two stages, --from, nothing lost"
                    (and (>= (funcall froms) 2) (string-match-p "--from=" text)
                         (string-match-p "npm ci" text) (string-match-p "npm run build" text)
                         (string-match-p "CMD" text) (string-match-p "EXPOSE 3000" text))
                    (format "buffer after: %s" (lw-one-line text 500)) t))))

    ;; 7. Multi-stage: stage names after COPY --from=; the latest-tag diagnostic, fix, settings.
    (if (not (lw-check "Eglot manages a second Dockerfile" (lw-open (expand-file-name "multi-stage/Dockerfile" lw-ws)) ""))
        nil
      (goto-char (point-max))
      (skip-chars-backward "\n")
      (let ((labels (lw-completions-at-point)))
        (lw-check "completion after \"COPY --from=\" offers stages deps and build"
                  (and (member "deps" labels) (member "build" labels))
                  (format "labels: %s" (lw-one-line (string-join labels ", ") 200))))
      (let ((got (lw-wait 15 (lambda () (lw-diags-on 1)))))
        (lw-check "diagnostic on \"FROM node:latest\"" got (lw-describe-diags) t)
        (when got
          (let* ((actions (lw-actions (lw-line-beg 1) (lw-line-beg 2)))
                 (fix (cl-find-if (lambda (a) (let ((k (plist-get a :kind))) (or (null k) (string-prefix-p "quickfix" k))))
                                  actions)))
            (lw-check "quick fix offered for the latest tag" fix (format "actions: %s" (lw-titles actions)) t))
          ;; 8. Settings reach the server: turn the rule off in eglot-workspace-configuration.
          (let* ((lsp-diag (cdr (assoc 'eglot-lsp-diag (eglot--diag-data (car (lw-diags-on 1))))))
                 (code (plist-get lsp-diag :code)))
            (when (lw-check "the latest-tag diagnostic names its rule (code)" code (format "diagnostic %S" lsp-diag) t)
              (let ((rules (list (intern (format ":%s" code)) "off")))
                (setq-default eglot-workspace-configuration
                              (plist-put (copy-sequence (default-value 'eglot-workspace-configuration))
                                         :layerwise (append (copy-sequence layerwise-settings) (list :rules rules))))
                (eglot-signal-didChangeConfiguration (eglot-current-server))
                (let ((gone (lw-wait 10 (lambda ()
                                          (cl-notany (lambda (d)
                                                       (equal code (plist-get (cdr (assoc 'eglot-lsp-diag (eglot--diag-data d))) :code)))
                                                     (lw-diags-on 1))))))
                  (lw-check (format "rules.%s = \"off\" removes its diagnostic" code) gone (lw-describe-diags) t)))))))

      ;; Harness self-check, stand-in only: prove the apply path on a fix the stand-in has.
      (when lw-standin
        (goto-char (point-min))
        (insert "workdir /tmp\n")
        (lw-idle)
        (lw-wait 10 (lambda () (lw-diags-on 1)))
        (let* ((actions (lw-actions (lw-line-beg 1) (lw-line-beg 2)))
               (fix (cl-find-if (lambda (a) (string-match-p "uppercase" (downcase (plist-get a :title)))) actions)))
          (when (lw-check "harness: stand-in offers its uppercase fix" fix (format "actions: %s" (lw-titles actions)))
            (lw-apply fix)
            (lw-check "harness: code action applied by Eglot"
                      (lw-wait 10 (lambda () (save-excursion (goto-char (point-min)) (looking-at "WORKDIR /tmp"))))
                      (buffer-substring (point-min) (line-end-position)))))))

    ;; 9. Other names a Dockerfile goes by.
    (dolist (name '("Containerfile" "app.Dockerfile" "Dockerfile.dev"))
      (let ((ok (lw-open (expand-file-name (concat "names/" name) lw-ws))))
        (lw-check (format "%s opens in dockerfile-mode with Eglot" name)
                  (and (eq major-mode 'dockerfile-mode) ok)
                  (format "mode %s, managed %s" major-mode (and ok t)))))

    ;; 10. Clean shutdown.
    (with-current-buffer single
      ;; Eglot sends shutdown (an error if it fails or times out) and exit, then deletes the
      ;; process itself, so its exit status says nothing about the server.
      (let ((proc (jsonrpc--process server))
            (err (condition-case e (progn (eglot-shutdown server) nil) (error e))))
        (lw-check "Eglot shuts the server down without an error"
                  (and (null err) (lw-wait 10 (lambda () (not (process-live-p proc)))))
                  (format "error %S, process status %s" err (process-status proc)))))))

(let ((ok (condition-case err (progn (lw-run) t)
            (error (lw-check "test driver ran to the end" nil (format "%S" err)) nil))))
  (ignore ok)
  (lw-say "emacs %s (eglot): %d checks passed, %d failed, %d xfail" emacs-version lw-passed lw-failed lw-xfailed)
  (kill-emacs (if (= lw-failed 0) 0 1)))

;;; test-eglot.el ends here
