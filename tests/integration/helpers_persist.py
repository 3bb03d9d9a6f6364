# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers for the persistence tests (AOF, RDB, crashes): a full dump of the
# keyspace that two servers can be compared by (every database, type, value
# and absolute expiry time), a random workload that touches every type and
# every command whose propagation is rewritten, and starting servers on a
# data directory that outlives them.
import random


def dump_keyspace(client, dbs=16):
    """{db: {key: (type, value, expire_at_ms)}} for every non-empty database.
    Set members are sorted; sorted sets keep their order with scores."""
    out = {}
    for db in range(dbs):
        client.execute_command("SELECT", db)
        keys = client.execute_command("KEYS", "*")
        if not keys:
            continue
        entries = {}
        for key in keys:
            kind = client.execute_command("TYPE", key)
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind == "string":
                value = client.execute_command("GET", key)
            elif kind == "list":
                value = tuple(client.execute_command("LRANGE", key, 0, -1))
            elif kind == "set":
                value = tuple(sorted(client.execute_command("SMEMBERS", key)))
            elif kind == "hash":
                flat = client.execute_command("HGETALL", key)
                if isinstance(flat, dict):
                    value = tuple(sorted(flat.items()))
                else:
                    value = tuple(sorted(zip(flat[::2], flat[1::2])))
            elif kind == "zset":
                value = tuple(client.execute_command("ZRANGE", key, 0, -1, "WITHSCORES"))
            else:
                raise AssertionError(f"unexpected type {kind} of {key!r}")
            expire_at = client.execute_command("PEXPIRETIME", key)
            entries[key] = (kind, value, expire_at)
        out[db] = entries
    client.execute_command("SELECT", 0)
    return out


def random_workload(client, seed, ops=600, keys=40):
    """Runs `ops` random write commands over every type in databases 0-2, with
    relative expiries, float increments, random pops and moves."""
    rng = random.Random(seed)

    def key(prefix):
        return f"{prefix}:{rng.randrange(keys)}"

    def member():
        return rng.choice([str(rng.randrange(50)), f"m{rng.randrange(50)}", "x" * rng.randrange(1, 80)])

    commands = [
        lambda: ("SET", key("s"), member()),
        lambda: ("SET", key("s"), member(), "EX", rng.randrange(100, 1000)),
        lambda: ("SET", key("s"), member(), "PX", rng.randrange(100000, 900000), "GET"),
        lambda: ("SETEX", key("s"), rng.randrange(100, 1000), member()),
        lambda: ("PSETEX", key("s"), rng.randrange(100000, 900000), member()),
        lambda: ("INCRBYFLOAT", key("f"), rng.choice(["0.1", "1.5", "-3.25", "1e3"])),
        lambda: ("INCR", key("n")),
        lambda: ("APPEND", key("s"), member()),
        lambda: ("SETRANGE", key("s"), rng.randrange(20), member()),
        lambda: ("GETEX", key("s"), "PX", rng.randrange(100000, 900000)),
        lambda: ("GETEX", key("s"), "PERSIST"),
        lambda: ("EXPIRE", key(rng.choice("slhzx")), rng.randrange(100, 1000)),
        lambda: ("PEXPIRE", key(rng.choice("slhzx")), rng.randrange(100000, 900000), "GT"),
        lambda: ("PERSIST", key(rng.choice("slhzx"))),
        lambda: ("DEL", key(rng.choice("slhzx"))),
        lambda: ("RPUSH", key("l"), *[member() for _ in range(rng.randrange(1, 8))]),
        lambda: ("LPUSH", key("l"), member()),
        lambda: ("LPOP", key("l"), rng.randrange(1, 4)),
        lambda: ("RPOP", key("l")),
        lambda: ("LMOVE", key("l"), key("l"), rng.choice(["LEFT", "RIGHT"]),
                 rng.choice(["LEFT", "RIGHT"])),
        lambda: ("BLPOP", key("l"), key("l"), "0.01"),
        lambda: ("BLMOVE", key("l"), key("l"), "RIGHT", "LEFT", "0.01"),
        lambda: ("LMPOP", 2, key("l"), key("l"), "LEFT", "COUNT", 2),
        lambda: ("LTRIM", key("l"), 0, rng.randrange(5, 20)),
        lambda: ("LSET", key("l"), 0, member()),
        lambda: ("SADD", key("x"), *[member() for _ in range(rng.randrange(1, 10))]),
        lambda: ("SREM", key("x"), member()),
        lambda: ("SPOP", key("x")),
        lambda: ("SPOP", key("x"), rng.randrange(1, 6)),
        lambda: ("SMOVE", key("x"), key("x"), member()),
        lambda: ("SINTERSTORE", key("x"), key("x"), key("x")),
        lambda: ("HSET", key("h"), *[v for _ in range(rng.randrange(1, 5))
                                     for v in (member(), member())]),
        lambda: ("HDEL", key("h"), member()),
        lambda: ("HINCRBYFLOAT", key("h"), "ff", rng.choice(["0.1", "2.5", "-1.75"])),
        lambda: ("HINCRBY", key("h"), "ii", rng.randrange(-5, 5)),
        lambda: ("ZADD", key("z"), *[v for _ in range(rng.randrange(1, 6))
                                     for v in (rng.choice(["1", "2.5", "-3", "0.1"]), member())]),
        lambda: ("ZINCRBY", key("z"), "0.3", member()),
        lambda: ("ZPOPMIN", key("z")),
        lambda: ("BZPOPMAX", key("z"), "0.01"),
        lambda: ("ZMPOP", 1, key("z"), "MIN", "COUNT", 2),
        lambda: ("ZUNIONSTORE", key("z"), 2, key("z"), key("z"), "WEIGHTS", "1", "0.5"),
        lambda: ("ZREMRANGEBYRANK", key("z"), 0, 1),
        lambda: ("RENAME", key("s"), key("s")),
        lambda: ("COPY", key(rng.choice("slhzx")), key("c"), "REPLACE"),
        lambda: ("MOVE", key("s"), rng.randrange(3)),
        lambda: ("SELECT", rng.randrange(3)),
        lambda: ("MSET", key("s"), member(), key("s"), member()),
    ]
    for _ in range(ops):
        cmd = rng.choice(commands)()
        try:
            client.execute_command(*cmd)
        except Exception as e:  # WRONGTYPE and friends are part of the mix
            if "WRONGTYPE" not in str(e) and "no such key" not in str(e) \
                    and "not an integer" not in str(e) and "not a valid float" not in str(e) \
                    and "index out of range" not in str(e) and "source and destination" not in str(e):
                raise
    client.execute_command("SELECT", 0)


def start_on(server_factory, datadir, **config):
    """A server whose data directory is `datadir` (kept across restarts);
    config keys may use underscores for dashes."""
    config = {k.replace("_", "-"): v for k, v in config.items()}
    config["dir"] = str(datadir)
    return server_factory(config=config)
