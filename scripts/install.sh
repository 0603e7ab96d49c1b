#!/usr/bin/env bash
# Installe ce qu'il faut pour produire les documents ; avec --tests, aussi pour les tests.
#   bash scripts/install.sh           pandoc, LibreOffice, MkDocs…
#   bash scripts/install.sh --tests   + Chromium, Node.js (axe-core) et les bibliothèques de test
# Paquets Debian : LibreOffice (le moteur de mise en page : numéros de page des DOCX, et export
# des PDF depuis la même mise en page), python3-uno (son pont Python), hyphen-fr (la césure
# française de LibreOffice ; le DOCX la demande : w:autoHyphenation), poppler-utils (pdftotext,
# pdftoppm), polices métriquement compatibles avec celles de Word (Liberation : Arial, Times New
# Roman ; Carlito : Calibri ; Caladea : Cambria), pour que Word pagine comme LibreOffice,
# hunspell-fr (dictionnaire français de l'orthographe vérifiée par « build.py check »).
# Paquets PyPI : dans un environnement virtuel .venv (voir pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--tests" ] && with_tests=1

packages=(libreoffice-writer-nogui python3-uno hyphen-fr poppler-utils fonts-liberation fonts-crosextra-carlito
          fonts-crosextra-caladea fonts-dejavu-core hunspell-fr)
[ "$with_tests" = 1 ] && packages+=(chromium)
# Node.js et npm : ceux de la machine s'ils y sont déjà (un Node.js installé hors de Debian, celui de
# NodeSource par exemple, contient npm, et le paquet Debian « npm » ne peut pas s'installer à côté).
if [ "$with_tests" = 1 ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installation des paquets Debian : ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "Création de l'environnement Python .venv"
  python3 -m venv .venv
fi
extra=""
[ "$with_tests" = 1 ] && extra="[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extra}"
# Le code du projet compilé une fois (bytecode) : chaque commande démarre sans le recompiler, même là
# où Python n'écrit pas ses fichiers .pyc (PYTHONDONTWRITEBYTECODE).
.venv/bin/python -m compileall -q ctg >/dev/null
if [ "$with_tests" = 1 ]; then
  # axe-core (contrôle d'accessibilité des pages du site dans Chromium), version figée par package-lock.json
  npm ci --no-audit --no-fund --silent
fi
echo "Installation terminée."
