;;; layerwise-eglot.el --- layerwise through Eglot  -*- lexical-binding: t -*-

;; Paste into your init file (or `load' this file).  Needs:
;; - Eglot: built into Emacs 29+; for Emacs 26.3-28 install `eglot' from GNU ELPA
;;   (Debian/Ubuntu: the elpa-eglot package).
;; - A Dockerfile major mode: `dockerfile-mode' (MELPA, or Debian's elpa-dockerfile-mode);
;;   on Emacs 29+ the built-in `dockerfile-ts-mode' works too.
;; - `layerwise' on `exec-path' (or put its absolute path below).

;;; Code:

(require 'eglot)

;; dockerfile-mode already claims Dockerfile, Dockerfile.* and *.dockerfile (case-folded, so
;; also app.Dockerfile).  Podman's name for the same file is Containerfile.
(add-to-list 'auto-mode-alist '("/Containerfile\\(?:\\.[^/]*\\)?\\'" . dockerfile-mode))
(add-to-list 'auto-mode-alist '("\\.[Dd]ockerfile\\'" . dockerfile-mode))

(defvar layerwise-settings
  '(:inlayHints (:enabled t)
    :registry (:offline :json-false)
    ;; Rule severities, e.g. :rules (:rule-name "off"); also "hint" "info" "warning" "error".
    )
  "The settings layerwise reads, as a plist (Eglot's JSON convention: :json-false is false).
Sent as initializationOptions and as the `layerwise' section of workspace/configuration.")

;; :language-id matters for dockerfile-ts-mode: Eglot 1.9 would derive "dockerfile-ts".
(add-to-list 'eglot-server-programs
             `(((dockerfile-mode :language-id "dockerfile")
                (dockerfile-ts-mode :language-id "dockerfile"))
               . ("layerwise" "lsp" :initializationOptions ,(lambda (_server) layerwise-settings))))

;; Answer workspace/configuration's `layerwise' section, next to any other server's settings.
;; (If yours is a function or an alist, add the :layerwise section to it yourself.)
(let ((current (default-value 'eglot-workspace-configuration)))
  (when (and (listp current) (not (consp (car current))))
    (setq-default eglot-workspace-configuration
                  (plist-put (copy-sequence current) :layerwise layerwise-settings))))

;; Start (or join) the server whenever a Dockerfile is opened.
(add-hook 'dockerfile-mode-hook #'eglot-ensure)
(add-hook 'dockerfile-ts-mode-hook #'eglot-ensure)

;; Size estimates are inlay hints.  Eglot 1.14+ (Emacs 29.1+) shows them by default through
;; `eglot-inlay-hints-mode'; older Eglot has no inlay hints (hover still shows sizes).

(provide 'layerwise-eglot)
;;; layerwise-eglot.el ends here
