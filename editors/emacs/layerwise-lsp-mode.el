;;; layerwise-lsp-mode.el --- layerwise through lsp-mode  -*- lexical-binding: t -*-

;; Paste into your init file (or `load' this file) after lsp-mode is installed.  Needs:
;; - lsp-mode (MELPA, or Debian's elpa-lsp-mode) and `dockerfile-mode' (MELPA, or Debian's
;;   elpa-dockerfile-mode);
;; - `layerwise' on `exec-path' (or put its absolute path below).
;; lsp-mode has its own Dockerfile client (dockerfile-ls, priority -1); layerwise registers with
;; a higher priority, so it wins.  To run both, add both to `lsp-enabled-clients' and set
;; `lsp-disabled-clients' to nil; expect duplicate diagnostics then.

;;; Code:

(require 'lsp-mode)

(add-to-list 'auto-mode-alist '("/Containerfile\\(?:\\.[^/]*\\)?\\'" . dockerfile-mode))
(add-to-list 'auto-mode-alist '("\\.[Dd]ockerfile\\'" . dockerfile-mode))
(add-to-list 'lsp-language-id-configuration '(dockerfile-mode . "dockerfile"))
(add-to-list 'lsp-language-id-configuration '(dockerfile-ts-mode . "dockerfile"))

(defgroup layerwise nil "The layerwise Dockerfile language server." :group 'lsp-mode)

(defcustom layerwise-inlay-hints t
  "Whether layerwise sends size estimates as inlay hints."
  :type 'boolean)

(defcustom layerwise-registry-offline nil
  "Whether layerwise keeps off the network and uses its cache and built-in catalogue only."
  :type 'boolean)

(defcustom layerwise-rules nil
  "Rule severities, an alist of (RULE-SYMBOL . SEVERITY): SEVERITY is one of \"off\" \"hint\"
\"info\" \"warning\" \"error\"."
  :type '(alist :key-type symbol :value-type string))

;; The `layerwise' section of workspace/configuration, built from the options above.
(lsp-register-custom-settings
 '(("layerwise.inlayHints.enabled" layerwise-inlay-hints t)
   ("layerwise.registry.offline" layerwise-registry-offline t)
   ("layerwise.rules" layerwise-rules)))

(lsp-register-client
 (make-lsp-client
  :new-connection (lsp-stdio-connection '("layerwise" "lsp"))
  :activation-fn (lsp-activate-on "dockerfile")
  :server-id 'layerwise
  :priority 1
  ;; The same settings, read once at start-up.
  :initialization-options (lambda () (gethash "layerwise" (lsp-configuration-section "layerwise")))
  :initialized-fn (lambda (workspace)
                    (with-lsp-workspace workspace
                      (lsp--set-configuration (lsp-configuration-section "layerwise"))))))

(add-hook 'dockerfile-mode-hook #'lsp-deferred)
(add-hook 'dockerfile-ts-mode-hook #'lsp-deferred)

;; Size estimates are inlay hints: lsp-mode 9.0+ shows them with this.
(setq lsp-inlay-hint-enable t)

(provide 'layerwise-lsp-mode)
;;; layerwise-lsp-mode.el ends here
