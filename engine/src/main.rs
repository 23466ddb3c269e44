use mimalloc::MiMalloc;
#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;
fn main() {
    let ex = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound).io_memory(64 << 10).make().unwrap();
    ex.run(async { println!("hello"); });
}
