"""Encryption cost: envelope encryption against raw AES-GCM on the same data.

Prints, for each key provider (KMS through the in-process emulator, and the
local development provider), the median time per encrypt and per decrypt
over several rounds, the ratio to raw AES-256-GCM with a fixed key on the
same plaintexts, and the number of KMS calls per operation.

    python bench/crypto.py [--values 200] [--rounds 5]

The emulator has no network hop, so against real KMS (a few ms per call)
the ratio is larger; the KMS call count per operation is what carries over.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _django import setup


def _median_per_op(fn, items, rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for item in items:
            fn(item)
        samples.append((time.perf_counter() - started) / len(items))
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    setup()
    import logging
    import tempfile
    from pathlib import Path

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from django.conf import settings
    from moto import mock_aws

    from configs.crypto import Binding, decrypt, encrypt, ensure_key, get_provider

    # One audit line per operation is right in production, noise here.
    logging.getLogger("tennisbook.audit").setLevel(logging.WARNING)
    plaintexts = [f"portal-password-{i:04d}-Ωñ" for i in range(args.values)]
    bindings = [
        Binding("portal-credentials", f"user-{i}", "portalPassword") for i in range(args.values)
    ]

    key = AESGCM.generate_key(bit_length=256)
    aes = AESGCM(key)
    nonce = os.urandom(12)
    raw_ct = {p: aes.encrypt(nonce, p.encode(), b"aad") for p in plaintexts}
    raw_enc = _median_per_op(
        lambda p: aes.encrypt(os.urandom(12), p.encode(), b"aad"), plaintexts, args.rounds
    )
    raw_dec = _median_per_op(
        lambda p: aes.decrypt(nonce, raw_ct[p], b"aad"), plaintexts, args.rounds
    )

    rows = [("raw AES-256-GCM", raw_enc, raw_dec, 1.0, 1.0, "0 / 0")]
    kms_calls = {"n": 0}

    def count_kms_call(**_):
        kms_calls["n"] += 1

    with mock_aws(), tempfile.TemporaryDirectory() as tmp:
        for provider in ("kms", "local"):
            settings.CRYPTO_KEY_PROVIDER = provider
            settings.CRYPTO_LOCAL_KEY_FILE = Path(tmp) / "local.json"
            get_provider.cache_clear()
            ensure_key()
            if provider == "kms":
                get_provider().client.meta.events.register("before-call.kms", count_kms_call)
            pairs = list(zip(plaintexts, bindings, strict=True))
            kms_calls["n"] = 0
            enc = _median_per_op(lambda pb: encrypt(pb[0], pb[1]), pairs, args.rounds)
            enc_calls = kms_calls["n"] / (len(pairs) * args.rounds)
            stored = [(encrypt(p, b), b) for p, b in pairs]
            kms_calls["n"] = 0
            dec = _median_per_op(lambda sb: decrypt(sb[0], sb[1]), stored, args.rounds)
            dec_calls = kms_calls["n"] / (len(stored) * args.rounds)
            rows.append(
                (
                    f"envelope ({provider})",
                    enc,
                    dec,
                    enc / raw_enc,
                    dec / raw_dec,
                    f"{enc_calls:g} / {dec_calls:g}",
                )
            )

    print(f"{args.values} values x {args.rounds} rounds; medians per operation")
    header = ("path", "encrypt", "decrypt", "enc ratio", "dec ratio")
    print(f"{header[0]:<22}" + "".join(f"{h:>12}" for h in header[1:]) + "  KMS calls enc/dec")
    for name, enc, dec, enc_ratio, dec_ratio, calls in rows:
        timings = f"{enc * 1e6:>10.1f}us{dec * 1e6:>10.1f}us"
        print(f"{name:<22}{timings}{enc_ratio:>11.0f}x{dec_ratio:>11.0f}x  {calls}")


if __name__ == "__main__":
    main()
