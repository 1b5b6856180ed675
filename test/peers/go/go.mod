module sslsock.test/peer

go 1.19
