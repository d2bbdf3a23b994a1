# Host unit tests (cmocka) of Kiln's pure logic, built with clang, ASan and UBSan.
TEST_TARGETS += test-host
