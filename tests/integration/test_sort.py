# SPDX-License-Identifier: BSD-3-Clause
#
# SORT and SORT_RO over lists, sets and sorted sets: numeric and ALPHA order,
# BY and GET patterns (strings and hash fields), LIMIT, STORE, BY nosort,
# errors; compared byte for byte with redis-server 7.0 where the order is
# deterministic.
import pytest

from conftest import AGAINST_REDIS, encode, read_reply, roundtrip
from helpers_server import wait_until

CASES = [
    ("RPUSH", "l", "3", "1", "2", "10", "-1.5"), ("SORT", "l"), ("SORT", "l", "DESC"),
    ("SORT", "l", "ALPHA"), ("SORT", "l", "LIMIT", "1", "2"), ("SORT", "l", "LIMIT", "0", "-1"),
    ("SORT", "l", "LIMIT", "10", "2"), ("SORT", "l", "LIMIT", "-5", "2"),
    ("RPUSH", "w", "b", "a", "c"), ("SORT", "w"), ("SORT", "w", "ALPHA"),
    ("SORT", "w", "ALPHA", "DESC"), ("SET", "weight_3", "30"), ("SET", "weight_1", "100"),
    ("SET", "weight_2", "20"), ("SORT", "l", "BY", "weight_*"),
    ("SORT", "l", "BY", "weight_*", "GET", "#", "GET", "weight_*"), ("SORT", "l", "BY", "nosort"),
    ("SORT", "l", "BY", "nosort", "DESC"), ("HSET", "h_1", "f", "x1"), ("HSET", "h_2", "f", "x2"),
    ("SORT", "l", "GET", "h_*->f", "GET", "#"), ("SORT", "l", "BY", "h_*->f", "ALPHA"),
    ("SORT", "l", "GET", "nostar"), ("SORT", "l", "GET", "h_*->"), ("SORT", "l", "STORE", "dst"),
    ("LRANGE", "dst", "0", "-1"), ("SORT", "nokey", "STORE", "dst"), ("EXISTS", "dst"),
    ("SORT", "l", "GET", "h_*->f", "STORE", "dst2"), ("LRANGE", "dst2", "0", "-1"),
    ("SORT_RO", "l", "STORE", "x"), ("SORT_RO", "l", "DESC"), ("SORT", "l", "FOO"),
    ("SORT", "l", "LIMIT", "1"), ("SORT", "l", "LIMIT", "a", "1"), ("SADD", "s", "5", "3", "9"),
    ("SORT", "s"), ("SORT", "s", "DESC", "LIMIT", "0", "2"), ("SADD", "sa", "x", "b"),
    ("SORT", "sa"), ("SORT", "sa", "ALPHA"), ("SORT", "sa", "BY", "nosort", "STORE", "sd"),
    ("LRANGE", "sd", "0", "-1"), ("ZADD", "z", "1", "c", "2", "a", "3", "b"),
    ("SORT", "z", "BY", "nosort"), ("SORT", "z", "BY", "nosort", "DESC"), ("SORT", "z", "ALPHA"),
    ("SORT", "z", "BY", "nosort", "LIMIT", "1", "1"), ("SET", "str", "x"), ("SORT", "str"),
    ("SORT", "nokey"), ("RPUSH", "e", "1", "", "2"), ("SORT", "e"),
]


@pytest.mark.skipif(AGAINST_REDIS, reason="compares loom with redis-server")
def test_sort_same_as_redis(server, oracle):
    def run(srv):
        s = srv.connect()
        try:
            return [roundtrip(s, c)[0] for c in CASES]
        finally:
            s.close()
    ours, theirs = run(server), run(oracle)
    assert [(c, a, b) for c, a, b in zip(CASES, ours, theirs) if a != b] == []


def test_sort_store_wakes_blocked_client(server, r):
    s = server.connect()
    s.sendall(encode("BLPOP", "sorted", "0"))
    wait_until(lambda: int(r.info("clients")["blocked_clients"]) == 1, timeout=5,
               what="client to block")
    r.rpush("src", 3, 1, 2)
    assert r.sort("src", store="sorted") == 3
    s.settimeout(5)
    assert read_reply(s)[0] == b"*2\r\n$6\r\nsorted\r\n$1\r\n1\r\n"
    assert r.lrange("sorted", 0, -1) == [b"2", b"3"]
    s.close()


def test_sort_large_numeric_and_alpha(r):
    values = [str((i * 7919) % 1000) for i in range(1000)]
    r.rpush("big", *values)
    assert r.sort("big") == [v.encode() for v in sorted(values, key=int)]
    assert r.sort("big", alpha=True, desc=True) == [v.encode() for v in sorted(values, reverse=True)]
    assert r.sort("big", start=10, num=5) == [v.encode() for v in sorted(values, key=int)[10:15]]
