# vnplan — make setup && make run (process the bundled samples into out/), make test.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out

.PHONY: setup run test lint eval bench fuzz schemas lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Locked versions (requirements.lock, hashes checked), then the project itself, editable.
setup: $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .

run:
	$(BIN)/vnplan run samples --out $(OUT)

test:
	$(BIN)/python -m pytest -q

# Precision/recall/F1 and per-field accuracy against samples/expected/ (text, DOCX, … copies).
eval:
	$(BIN)/vnplan eval samples

# vnplan against a bare pdfplumber loop, PyMuPDF and bare pypdfium2 on a 500-page PDF, the
# per-page cost at 17/100/500 pages, the scan path against bare Tesseract, cold start; then
# throughput, the 2-worker speed-up, memory and incremental rerun over ≥ 2,000 generated
# documents (BENCH_SCALE shrinks the corpus). All in bench/results.json; not part of
# `make test`: timings belong here, not in tests.
BENCH_SCALE ?= 1
bench:
	$(BIN)/python bench/bench_pdf.py --pages 500
	$(BIN)/python bench/bench_batch.py --scale $(BENCH_SCALE)

# Coverage-guided fuzzing of the text-facing parsers, FUZZ_SECONDS per target; crashes land in
# fuzz/crashes/ and become regression tests (tests/test_fuzz_regressions.py).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = deadline agency leaders document table text_bytes html_bytes
# Every target runs even after one crashed; the exit status says whether any did.
fuzz:
	mkdir -p fuzz/crashes
	status=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/corpus/$$t; \
		$(BIN)/python fuzz/fuzz_parsers.py $$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
			-artifact_prefix=fuzz/crashes/$$t- -print_final_stats=1 fuzz/corpus/$$t || status=1; \
	done; exit $$status

lint:
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	mkdir -p .typecheck && ln -sfn ../src .typecheck/vnplan
	$(BIN)/mypy -p vnplan
	$(BIN)/mypy tests

# Regenerate schemas/ from the models (a test fails when they drift apart).
schemas:
	$(BIN)/vnplan schema --out schemas

# Re-resolve requirements.lock from pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements.lock

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
