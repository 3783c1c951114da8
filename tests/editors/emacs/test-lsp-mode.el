;;; test-lsp-mode.el --- batch Emacs + lsp-mode test of editors/emacs/layerwise-lsp-mode.el  -*- lexical-binding: t -*-

;; check-lsp-mode.sh loads editors/emacs/layerwise-lsp-mode.el (unchanged), then this file.
;; It checks what the set-up registers (client, priority over lsp-mode's own dockerfile-ls,
;; settings), then opens the single-stage fixture, lets the set-up's hook start lsp-mode, and
;; checks attach, diagnostics, hover and completion through lsp-mode's own requests.
;; Environment: LW_WS, LW_EXPECT (see test-eglot.el).  Exit status 0 only if every check passed.

;;; Code:

(require 'cl-lib)
(require 'subr-x)
(require 'lsp-mode)

(defvar lw-ws (or (getenv "LW_WS") (error "LW_WS not set")))
(defvar lw-standin (equal (getenv "LW_EXPECT") "standin"))
(defvar lw-passed 0)
(defvar lw-failed 0)
(defvar lw-xfailed 0)
(defconst lw-size-re "[0-9][0-9.,]*[[:space:]]*[kKMGT]i?B")

;; A batch Emacs must never stop to ask, nor write outside the scratch home.
(setq lsp-auto-guess-root t
      lsp-restart 'ignore
      lsp-enable-file-watchers nil
      lsp-keep-workspace-alive nil
      lsp-session-file (expand-file-name "lsp-session" user-emacs-directory))
(fset 'yes-or-no-p (lambda (&rest _) t))
(fset 'y-or-n-p (lambda (&rest _) t))

(defun lw-say (fmt &rest args) (princ (concat (apply #'format fmt args) "\n")))

(defun lw-one-line (s &optional max)
  (let ((s (replace-regexp-in-string "[ \t\n]+" " " (format "%s" (or s "")))))
    (if (and max (> (length s) max)) (concat (substring s 0 max) "...") s)))

(defun lw-check (name ok detail &optional lw-only)
  (cond (ok (cl-incf lw-passed)
            (lw-say "ok    %s%s" name (if (and detail (not (string-empty-p detail)))
                                           (format "  [%s]" (lw-one-line detail 160)) "")))
        ((and lw-only lw-standin) (cl-incf lw-xfailed)
         (lw-say "xfail %s (stand-in server): %s" name (lw-one-line detail 300)))
        (t (cl-incf lw-failed) (lw-say "FAIL  %s: %s" name (lw-one-line detail 600))))
  ok)

(defun lw-wait (seconds pred)
  (let ((deadline (+ (float-time) seconds)) (v nil))
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun lw-json (value) (let ((json-false :json-false)) (json-encode value)))

(cl-defun lw-run ()
  (lw-say "emacs %s, lsp-mode %s, server %s" emacs-version
          (file-name-nondirectory (directory-file-name (file-name-directory (locate-library "lsp-mode"))))
          (if lw-standin "stand-in" "layerwise"))
  ;; 1. What the set-up registers.
  (require 'lsp-dockerfile nil t)       ; lsp-mode's own Dockerfile client, normally loaded on demand
  (let ((client (gethash 'layerwise lsp-clients))
        (theirs (gethash 'dockerfile-ls lsp-clients)))
    (unless (lw-check "client `layerwise' registered" client "") (cl-return-from lw-run))
    (lw-check "it outranks lsp-mode's own dockerfile-ls"
              (or (null theirs) (> (lsp--client-priority client) (lsp--client-priority theirs)))
              (format "priority %s vs %s" (lsp--client-priority client) (and theirs (lsp--client-priority theirs))))
    (let ((init (lw-json (funcall (lsp--client-initialization-options client))))
          (section (lw-json (lsp-configuration-section "layerwise"))))
      (lw-check "initializationOptions are the bare settings"
                (string-match-p "\\`{\"inlayHints\":{\"enabled\":true}" init) init)
      (lw-check "workspace/configuration has a `layerwise' section"
                (string-match-p "\\`{\"layerwise\":{\"inlayHints\":{\"enabled\":true}" section) section)))

  ;; 2. Open a Dockerfile; the set-up's hook starts lsp-mode: `lsp-deferred' does so from an
  ;; idle timer once the buffer is shown.  Batch Emacs is never idle, so run idle timers here.
  (find-file (expand-file-name "single-stage/Dockerfile" lw-ws))
  (lw-check "Dockerfile opens in dockerfile-mode" (eq major-mode 'dockerfile-mode) (symbol-name major-mode))
  (dolist (timer (copy-sequence timer-idle-list)) (timer-event-handler timer))
  (let ((ws (lw-wait 20 (lambda () (cl-find-if (lambda (w) (eq (lsp--workspace-status w) 'initialized))
                                              (lsp-workspaces))))))
    (unless (lw-check "lsp-mode starts layerwise for the buffer"
                      (and ws (eq (lsp--client-server-id (lsp--workspace-client ws)) 'layerwise))
                      (format "workspaces: %S" (mapcar (lambda (w) (lsp--workspace-status w)) (lsp-workspaces))))
      (cl-return-from lw-run))
    ;; 3. Diagnostics on the MAINTAINER line (lsp-mode keeps them per file).
    (let ((got (lw-wait 15 (lambda ()
                             (cl-some (lambda (d) (= 1 (lsp:position-line (lsp:range-start (lsp:diagnostic-range d)))))
                                      (gethash (lsp--fix-path-casing (buffer-file-name)) (lsp-diagnostics t)))))))
      (lw-check "diagnostic on the MAINTAINER line" got
                (format "%S" (mapcar #'lsp:diagnostic-message
                                     (gethash (lsp--fix-path-casing (buffer-file-name)) (lsp-diagnostics t))))))
    ;; 4. Hover on the base image and on WORKDIR; completion at a line start.
    (cl-flet ((hover (line col)
                (goto-char (point-min)) (forward-line line) (forward-char col)
                (let* ((h (lsp-request "textDocument/hover" (lsp--text-document-position-params)))
                       (c (and h (lsp:hover-contents h))))
                  (cond ((null c) "") ((stringp c) c)
                        ((lsp-markup-content? c) (lsp:markup-content-value c))
                        (t (format "%S" c))))))
      (let ((text (hover 2 2)))
        (lw-check "hover on WORKDIR returns documentation" (not (string-empty-p text)) (lw-one-line text 120)))
      (let ((text (hover 0 6)))
        (lw-check "hover on node:20 shows an image size" (string-match-p lw-size-re text)
                  (format "hover: %s" (if (string-empty-p text) "(empty)" text)) t)))
    (goto-char (point-max))
    (insert "WO")
    (let* ((res (lsp-request "textDocument/completion" (lsp--text-document-position-params)))
           (items (if (lsp-completion-list? res) (lsp:completion-list-items res) res))
           (labels (mapcar #'lsp:completion-item-label (append items nil))))
      (lw-check "completion after \"WO\" offers WORKDIR"
                (cl-some (lambda (l) (or (equal l "WORKDIR") (string-prefix-p "WORKDIR " l))) labels)
                (format "labels: %s" (lw-one-line (string-join labels ", ") 200))))
    (lsp-workspace-shutdown ws)
    (lw-check "lsp-mode shuts the server down" (lw-wait 10 (lambda () (null (lsp-workspaces)))) "")))

(condition-case err (lw-run)
  (error (lw-check "test driver ran to the end" nil (format "%S" err))))
(lw-say "emacs %s (lsp-mode): %d checks passed, %d failed, %d xfail" emacs-version lw-passed lw-failed lw-xfailed)
(kill-emacs (if (= lw-failed 0) 0 1))

;;; test-lsp-mode.el ends here
