module gonode.dev/bench/chan

go 1.19
